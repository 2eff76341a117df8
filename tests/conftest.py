"""Shared fixtures: a real Kafka broker for the test session and per-test topics.

The broker comes from, in order: ``GATEWAY_KAFKA_BOOTSTRAP`` when set; a testcontainers
Kafka when a Docker engine answers; else the project's own local broker (``gateway kafka
up``'s), started once for the session and stopped afterwards if this fixture started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gateway.broker import LocalKafka, wait_for_broker

ROOT = Path(__file__).resolve().parents[1]
KAFKA_HOME = ROOT / ".gateway"


def _docker_engine_answers() -> bool:
    """True when a Docker engine answers (the docker CLI asks it; no client sockets leak)."""
    if shutil.which("docker") is None:
        return False
    try:
        probe = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """The bootstrap address of a real Kafka broker for this test session."""
    given = os.environ.get("GATEWAY_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    if _docker_engine_answers():
        from testcontainers.community.kafka import KafkaContainer  # noqa: PLC0415 -- only with Docker

        with KafkaContainer("confluentinc/cp-kafka:8.0.0").with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    broker = LocalKafka(KAFKA_HOME)
    started = broker.start()
    try:
        asyncio.run(wait_for_broker(broker.bootstrap, timeout=120))
    except TimeoutError:
        pytest.fail(f"local Kafka did not start; its output:\n{broker.log_tail()}")
    yield broker.bootstrap
    if started:
        broker.stop()


@pytest.fixture(scope="session")
async def kafka_admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    yield admin
    await admin.close()


TopicFactory = Callable[..., Awaitable[str]]


@pytest.fixture
async def new_topic(kafka_admin: AIOKafkaAdminClient) -> AsyncIterator[TopicFactory]:
    """Create topics with unique names for one test; they are deleted after it."""
    made: list[str] = []

    async def make(prefix: str = "test", partitions: int = 1) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:12]}"
        await kafka_admin.create_topics([NewTopic(name, partitions, 1)])
        made.append(name)
        return name

    yield make
    if made:
        with contextlib.suppress(Exception):
            await kafka_admin.delete_topics(made)


@pytest.fixture(autouse=True)
def _structlog_uncached(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that runs the CLI configures logging for the whole process, and production
    caches each logger on first use; a logger cached then would keep writing to that test's
    captured stream and escape every later ``capture_logs``. In tests nothing is cached, and
    the configuration is put back after each test."""
    real = structlog.configure

    def configure(**settings: Any) -> None:
        real(**{**settings, "cache_logger_on_first_use": False})

    saved = structlog.get_config()
    monkeypatch.setattr(structlog, "configure", configure)
    yield
    real(**saved)


@pytest.fixture
def unique() -> str:
    """A unique token for names a test creates (topics, groups, bodies' folders)."""
    return uuid.uuid4().hex[:12]
