"""`gateway demo` runs against the real broker: a request travels to its answer, stage by stage."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Broker

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_demo_routes_a_signed_request_to_its_answer_and_shows_a_rejection(
    tmp_path: Path, kafka_broker: Broker
) -> None:
    env = dict(
        os.environ,
        **kafka_broker.env(),  # the session's secure broker and its TLS identities
        GATEWAY_HOME=str(tmp_path),
        GATEWAY_LOG_FORMAT="json",
        GATEWAY_TOPICS_FILE=str(ROOT / "topics.yaml"),
        GATEWAY_SERVICES_FILE=str(tmp_path / "services.yaml"),  # absent: the demo writes one
        GATEWAY_WORKER_ID=f"demo-{tmp_path.name}",
        GATEWAY_WORKER_WEB_PORT="6091",
    )
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    lines = [line for line in out.splitlines() if "Tashkent  " in line]
    stages = [line.split()[4] for line in lines]
    assert stages[:7] == [
        "received",
        "accepted",
        "delivered",
        "received",
        "answered",
        "delivered",
        "closed",
    ]
    assert all(" deadline " in line for line in lines)  # each stage shows the term in force
    # the adapters: what the applicant sees, the decision's registration, the statistics
    portal = out.split("the unified portal", 1)[1]
    for stage in ("received", "sent_to_holder", "answered", "result_ready"):
        assert f"  {stage} " in portal
    assert "Запрос доставлен" in portal  # Russian beside Uzbek
    assert "registration number: EQ-" in out
    assert "agreement: agreed (hokim_decision)" in out
    # earlier runs on the same broker count too: at least this run's request and answer
    assert re.search(r"201000001 DX-0123: received [1-9][0-9]*, on time [1-9]", out)
    assert "reason: missing_field" in out
    assert "field: signer.position" in out
    assert (tmp_path / "services.yaml").exists()
    assert (tmp_path / "pki" / "orgs" / "201000001" / "key.pem").stat().st_mode & 0o777 == 0o600
    assert "41405900261239" not in out + done.stderr  # the applicant's PINFL is never printed
