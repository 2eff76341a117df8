"""A second broker of a test's own (own ports, own data, its own TLS identities, the
session's cached jars), for tests that stop and restart a broker: the session's shared
broker must keep running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.worker.process import free_port
from tests.conftest import KAFKA_HOME, Broker

LIBS = KAFKA_HOME / "kafka" / "libs-4.0.1"
_SASL_PORTS: dict[int, int] = {}  # client port -> the SASL port of the same broker


def sasl_port(port: int) -> int:
    """The SASL_SSL port of the own broker whose client port is ``port`` (free, chosen once)."""
    return _SASL_PORTS.setdefault(port, free_port())


def own(home: Path, port: int) -> Broker:
    """The own broker at ``home`` as a :class:`Broker` (its TLS identities, mutual TLS)."""
    return Broker(f"127.0.0.1:{port}", "SSL", home / "pki" / "tls")


def gateway(home: Path, port: int, cport: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``gateway ARGS`` against the broker of ``home`` on ``port`` (controller ``cport``)."""
    env = dict(os.environ)
    env.update(
        GATEWAY_HOME=str(home),
        GATEWAY_LOCAL_KAFKA_PORT=str(port),
        GATEWAY_LOCAL_CONTROLLER_PORT=str(cport),
        GATEWAY_LOCAL_KAFKA_SASL_PORT=str(sasl_port(port)),
        GATEWAY_KAFKA_BOOTSTRAP=f"127.0.0.1:{port}",
        GATEWAY_KAFKA_SECURITY_PROTOCOL="SSL",
        GATEWAY_KAFKA_TLS_DIR=str(home / "pki" / "tls"),
    )
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture
def own_broker(tmp_path: Path, kafka_bootstrap: str) -> tuple[Path, int, int]:
    """A second broker's home and ports (not started), sharing the cached jars."""
    home = tmp_path / "home"
    (home / "kafka").mkdir(parents=True)
    if LIBS.exists():  # share the jars the session broker fetched
        (home / "kafka" / LIBS.name).symlink_to(LIBS)
    return home, free_port(), free_port()
