"""docker-compose.yml: valid for Compose, and the same broker settings as `gateway kafka up`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gateway.broker import KAFKA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_declares_the_pinned_kraft_broker() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert compose["services"]["topics"]["command"] == ["topics", "apply"]


def test_compose_config_parses_where_a_compose_client_exists() -> None:
    if shutil.which("docker-compose"):
        cmd = ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"]
    elif (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        cmd = ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"]
    else:
        pytest.skip("no Compose client here (.ci/run installs docker-compose)")
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
