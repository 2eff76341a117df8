"""Shared fixtures: a real, secure Kafka broker for the test session and per-test topics.

The broker is the project's own local broker (``gateway kafka up``'s: mutual TLS, SCRAM over
TLS, the StandardAuthorizer with only the broker itself a super user), started once for the
session and stopped afterwards if this fixture started it; or, when
``GATEWAY_KAFKA_BOOTSTRAP`` is set, that broker, reached with the security settings of the
environment (``GATEWAY_KAFKA_SECURITY_PROTOCOL``, default SSL, and the TLS identities under
``GATEWAY_KAFKA_TLS_DIR``, default ``.gateway/pki/tls``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gateway.broker import LocalKafka, wait_for_broker
from gateway.broker.secure import prepare_identities
from gateway.kafka import BROKER, KafkaConnection, TlsFiles, start_client
from gateway.signing.tls import TlsLayout, ensure_tls_client

ROOT = Path(__file__).resolve().parents[1]
KAFKA_HOME = ROOT / ".gateway"


@dataclass(frozen=True)
class Broker:
    """The session's broker: where it is, how it is secured, and a connection per identity.

    ``connection(identity)`` issues the identity's TLS client certificate from the broker's
    TLS CA when it has none yet; ``superuser`` is the broker's own identity, which test
    harnesses use to create topics, apply ACLs and plant records.
    """

    bootstrap: str
    protocol: str
    tls_dir: Path

    @property
    def secure(self) -> bool:
        return self.protocol != "PLAINTEXT"

    @property
    def tls(self) -> TlsLayout:
        return TlsLayout(self.tls_dir)

    def connection(self, identity: str) -> KafkaConnection:
        if not self.secure:
            return KafkaConnection((self.bootstrap,), "PLAINTEXT", identity=identity)
        own = self.tls.broker if identity == BROKER else ensure_tls_client(self.tls_dir, identity)
        return KafkaConnection(
            (self.bootstrap,),
            "SSL",
            tls=TlsFiles(self.tls.ca_cert, own.cert, own.key),
            identity=identity,
        )

    @property
    def superuser(self) -> KafkaConnection:
        return self.connection(BROKER)

    def env(self) -> dict[str, str]:
        """The environment that points a gateway process at this broker."""
        return {
            "GATEWAY_KAFKA_BOOTSTRAP": self.bootstrap,
            "GATEWAY_KAFKA_SECURITY_PROTOCOL": self.protocol,
            "GATEWAY_KAFKA_TLS_DIR": str(self.tls_dir),
        }


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker]:
    """A real, secure Kafka broker for this test session."""
    tls_dir = Path(os.environ.get("GATEWAY_KAFKA_TLS_DIR") or KAFKA_HOME / "pki" / "tls")
    given = os.environ.get("GATEWAY_KAFKA_BOOTSTRAP")
    if given:
        yield Broker(given, os.environ.get("GATEWAY_KAFKA_SECURITY_PROTOCOL", "SSL"), tls_dir)
        return
    # the same settings as ``gateway kafka up``: a second checkout can run its suite beside
    # this one on its own ports
    ports = {
        name: int(os.environ.get(f"GATEWAY_LOCAL_{name.upper()}", default))
        for name, default in (
            ("kafka_port", 9092),
            ("controller_port", 9093),
            ("kafka_sasl_port", 9094),
        )
    }
    broker = LocalKafka(
        KAFKA_HOME,
        tls_dir=tls_dir,
        port=ports["kafka_port"],
        controller_port=ports["controller_port"],
        sasl_port=ports["kafka_sasl_port"],
    )
    scram = prepare_identities(broker, bodies=(), adapters=())
    started = broker.start(scram)
    found = Broker(broker.bootstrap, "SSL", tls_dir)
    try:
        asyncio.run(wait_for_broker(found.superuser, timeout=120))
    except TimeoutError:
        pytest.fail(f"local Kafka did not start; its output:\n{broker.log_tail()}")
    yield found
    if started:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: Broker) -> str:
    """The bootstrap address of the session's broker."""
    return kafka_broker.bootstrap


@pytest.fixture(scope="session")
async def kafka_admin(kafka_broker: Broker) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client of the broker's own identity (test harness: topics, ACLs)."""
    connection = kafka_broker.superuser
    admin = connection.admin()
    await start_client(connection, admin)
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
