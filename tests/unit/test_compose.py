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


def test_compose_broker_is_secure_like_the_local_one() -> None:
    from gateway.signing.tls import PRINCIPAL_MAPPING_RULES  # noqa: PLC0415 -- one test's

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["kafka"]["environment"]
    assert "PLAINTEXT" not in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert env["KAFKA_SSL_CLIENT_AUTH"] == "required"
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert env["KAFKA_SUPER_USERS"] == "User:broker"
    # Compose turns $$ into $: the broker gets exactly the rule the gateway documents
    assert env["KAFKA_SSL_PRINCIPAL_MAPPING_RULES"].replace("$$", "$") == PRINCIPAL_MAPPING_RULES
    assert compose["services"]["acl"]["command"] == ["acl", "apply"]
