"""`gateway demo` runs against the real broker and shows every stage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_demo_shows_a_signed_request_and_its_answer(tmp_path: Path, kafka_bootstrap: str) -> None:
    env = dict(
        os.environ,
        GATEWAY_HOME=str(tmp_path),
        GATEWAY_KAFKA_BOOTSTRAP=kafka_bootstrap,
        GATEWAY_LOG_FORMAT="json",
        GATEWAY_TOPICS_FILE=str(ROOT / "topics.yaml"),
    )
    for args in (["topics", "apply"], ["demo"]):
        done = subprocess.run(
            [sys.executable, "-m", "gateway.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    out = done.stdout
    for stage in (
        "[1] applicant's request registered",
        "[2] signed and published",
        "[3] intake: decoded, signature and certificate verified",
        "[4] the holding body answers",
        "[5] routing between the bodies",
    ):
        assert stage in out
    assert "signed by 201000002" in out
    assert "answer due" in out
    assert (tmp_path / "pki" / "orgs" / "201000001" / "key.pem").stat().st_mode & 0o777 == 0o600
    assert "41405900261239" not in out + done.stderr  # the applicant's PINFL is never printed
