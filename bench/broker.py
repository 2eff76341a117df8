"""The brokers a benchmark runs on: one given (``--bootstrap``), or the benchmarks' own local
brokers, started when they are down.

Each benchmark broker has its own home under ``.gateway/bench/`` and its own ports, so it
collides with neither the development broker (9092-9094) nor the test brokers:

- secure (mutual TLS on 9192, SCRAM over TLS on 9194, controller 9193; the
  StandardAuthorizer with only the broker a super user), home ``.gateway/bench/secure``;
- PLAINTEXT (no authentication, no authorizer; 9292, controller 9293), home
  ``.gateway/bench/plaintext``, only to know what TLS and authorization cost.

Both share the jar cache of the development broker (``.gateway/kafka/libs-<version>``).
A given broker is reached with the environment's security settings
(``GATEWAY_KAFKA_SECURITY_PROTOCOL``, default SSL, and the TLS identities under
``GATEWAY_KAFKA_TLS_DIR``, default ``.gateway/pki/tls``), as the test fixtures do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.acl import Acl, create_acls, delete_acls, describe_acls
from gateway.broker import KAFKA_VERSION, LocalKafka, broker_answers, wait_for_broker
from gateway.broker.secure import broker_connection, prepare_identities
from gateway.kafka import KafkaConnection, start_client
from tests.conftest import Broker

ROOT = Path(__file__).resolve().parents[1]
BENCH_HOME = ROOT / ".gateway" / "bench"
SECURE_PORTS = {"port": 9192, "controller_port": 9193, "sasl_port": 9194}
PLAINTEXT_PORTS = {"port": 9292, "controller_port": 9293, "sasl_port": 9294}


@dataclass
class BenchBroker:
    """A broker a benchmark measures on; ``local`` is set when this run started it."""

    name: str
    broker: Broker
    local: LocalKafka | None = None

    def stop(self) -> None:
        """Stop the broker if this run started it (its data stays for the next run)."""
        if self.local is not None:
            self.local.stop()
            self.local = None


def _local(secure: bool) -> LocalKafka:
    name = "secure" if secure else "plaintext"
    return LocalKafka(
        BENCH_HOME / name,
        **(SECURE_PORTS if secure else PLAINTEXT_PORTS),
        secure=secure,
        libs_dir=ROOT / ".gateway" / "kafka" / f"libs-{KAFKA_VERSION}",
    )


def _as_broker(local: LocalKafka) -> Broker:
    return Broker(local.bootstrap, "SSL" if local.secure else "PLAINTEXT", local.tls.root)


async def bench_brokers(
    *, secure: bool = True, plaintext: bool = False, given: str | None = None
) -> list[BenchBroker]:
    """The brokers to measure on, secure first: ``given`` (reached with the environment's
    security settings) or the local secure one, and the local PLAINTEXT one when asked.
    Local brokers are started in parallel and awaited; exits with a clear message when one
    does not answer."""
    found: list[BenchBroker] = []
    starting: list[LocalKafka] = []
    if secure and given:
        tls_dir = Path(os.environ.get("GATEWAY_KAFKA_TLS_DIR") or ROOT / ".gateway/pki/tls")
        protocol = os.environ.get("GATEWAY_KAFKA_SECURITY_PROTOCOL", "SSL")
        broker = Broker(given, protocol, tls_dir)
        if not await broker_answers(broker.superuser):
            raise SystemExit(
                f"no Kafka answers at {broker.superuser.describe()} (TLS identities in "
                f"{tls_dir}; set GATEWAY_KAFKA_TLS_DIR to the broker's)"
            )
        found.append(BenchBroker("secure" if broker.secure else "given PLAINTEXT", broker))
    elif secure:
        starting.append(_local(secure=True))
    if plaintext:
        starting.append(_local(secure=False))
    started: list[LocalKafka] = []
    for local in starting:
        scram = prepare_identities(local, bodies=(), adapters=()) if local.secure else {}
        if local.start(scram):
            started.append(local)
    quiet = logging.getLogger("aiokafka")  # "connection refused" is expected while they start
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        await asyncio.gather(*(_wait(local) for local in starting))
    except BaseException:
        for local in started:
            local.stop()
        raise
    finally:
        quiet.setLevel(level)
    for local in starting:
        name = "secure" if local.secure else "PLAINTEXT"
        found.append(BenchBroker(name, _as_broker(local), local if local in started else None))
    return found


async def _wait(local: LocalKafka, timeout: float = 180.0) -> None:
    try:
        await wait_for_broker(broker_connection(local), timeout)
    except TimeoutError:
        raise SystemExit(
            f"the benchmark broker at {local.bootstrap} did not answer within {timeout:.0f} s; "
            f"its last output ({local.log_file}):\n{local.log_tail()}"
        ) from None


@contextlib.asynccontextmanager
async def granted(superuser: KafkaConnection, acls: Iterable[Acl]) -> AsyncIterator[None]:
    """Hold ``acls`` for the block: create those the broker lacks, delete just those after
    (bindings that were there before stay). Nothing to do on a broker without the
    authorizer (PLAINTEXT)."""
    if not superuser.secure:
        yield
        return
    admin = superuser.admin()
    await start_client(superuser, admin)
    try:
        made = sorted(set(acls) - await describe_acls(admin))
        await create_acls(admin, made)
        try:
            yield
        finally:
            await delete_acls(admin, made)
    finally:
        await admin.close()


def connection_env(connection: KafkaConnection) -> dict[str, str]:
    """The ``GATEWAY_KAFKA_*`` environment that gives a child process exactly this
    connection through :func:`gateway.kafka.connection_for` (TLS files named explicitly)."""
    env = {
        "GATEWAY_KAFKA_BOOTSTRAP": ",".join(connection.bootstrap),
        "GATEWAY_KAFKA_SECURITY_PROTOCOL": connection.security_protocol,
        "GATEWAY_KAFKA_IDENTITY": connection.identity,
    }
    if connection.tls is not None:
        env["GATEWAY_KAFKA_SSL_CAFILE"] = str(connection.tls.ca)
        if connection.tls.cert is not None and connection.tls.key is not None:
            env["GATEWAY_KAFKA_SSL_CERTFILE"] = str(connection.tls.cert)
            env["GATEWAY_KAFKA_SSL_KEYFILE"] = str(connection.tls.key)
    return env
