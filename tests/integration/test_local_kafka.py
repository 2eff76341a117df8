"""The project's own broker: up twice is safe, down and up keeps the data."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.kafka import (
    OPERATOR,
    WORKER,
    KafkaAccessError,
    KafkaConnection,
    SaslCredentials,
    TlsFailure,
    TlsFiles,
    start_client,
)
from tests.integration.brokers import gateway, own, own_broker, sasl_port

__all__ = ["own_broker"]  # the fixture, used by the tests below

pytestmark = pytest.mark.integration


async def test_up_twice_then_down_and_up_keeps_messages(own_broker: tuple[Path, int, int]) -> None:
    home, port, cport = own_broker
    bootstrap = f"127.0.0.1:{port}"
    try:
        first = gateway(home, port, cport, "kafka", "up")
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == bootstrap
        assert "started" in first.stderr
        assert "mutual TLS + ACLs" in first.stderr

        second = gateway(home, port, cport, "kafka", "up")
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr

        applied = gateway(home, port, cport, "topics", "apply")
        assert applied.returncode == 0, applied.stderr
        acl = gateway(home, port, cport, "acl", "apply")  # `up` applied them: nothing to do
        assert acl.returncode == 0, acl.stderr
        assert acl.stdout.strip().splitlines()[-1] == "no changes", acl.stdout
        # the worker's service account over SCRAM-SHA-512 (SASL_SSL port), made at format
        tls = own(home, port).tls
        worker = KafkaConnection(
            (f"127.0.0.1:{sasl_port(port)}",),
            "SASL_SSL",
            tls=TlsFiles(tls.ca_cert),
            sasl=SaslCredentials(
                WORKER, SecretStr(tls.scram_password_file(WORKER).read_text().strip())
            ),
            identity=WORKER,
        )
        producer = worker.producer(acks="all")
        await start_client(worker, producer)
        try:
            for i in range(20):
                await producer.send_and_wait("exchange.events", f"event-{i}".encode(), key=b"k")
        finally:
            await producer.stop()

        down = gateway(home, port, cport, "kafka", "down")
        assert down.returncode == 0
        assert "stopped" in down.stdout
        status = gateway(home, port, cport, "kafka", "status")
        assert status.returncode == 1
        assert "not running" in status.stdout

        again = gateway(home, port, cport, "kafka", "up")
        assert again.returncode == 0, again.stderr
        operator = own(home, port).connection(OPERATOR)  # mutual TLS; reads the events only
        consumer = operator.consumer(
            "exchange.events",
            group_id=f"{OPERATOR}.restart-test",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await start_client(operator, consumer)
        try:
            seen: list[bytes] = []
            while len(seen) < 20:
                batch = await consumer.getmany(timeout_ms=10_000)
                assert batch, f"only {len(seen)} of 20 messages came back after the restart"
                seen += [m.value for msgs in batch.values() for m in msgs]
        finally:
            await consumer.stop()
        assert sorted(seen) == sorted(f"event-{i}".encode() for i in range(20))
        assert gateway(home, port, cport, "topics", "apply").stdout.strip().startswith("no changes")
    finally:
        gateway(home, port, cport, "kafka", "down")


async def test_a_wrong_scram_password_is_refused_and_insecure_mode_warns(
    own_broker: tuple[Path, int, int],
) -> None:
    home, port, cport = own_broker
    try:
        insecure = gateway(home, port, cport, "kafka", "up", "--insecure")
        assert insecure.returncode == 0, insecure.stderr
        assert "WITHOUT authentication or authorization" in insecure.stderr
        assert "PLAINTEXT, insecure" in insecure.stderr
        gateway(home, port, cport, "kafka", "down")
        secure = gateway(home, port, cport, "kafka", "up")
        assert secure.returncode == 0, secure.stderr
        tls = own(home, port).tls
        impostor = KafkaConnection(
            (f"127.0.0.1:{sasl_port(port)}",),
            "SASL_SSL",
            tls=TlsFiles(tls.ca_cert),
            sasl=SaslCredentials(WORKER, SecretStr("not-the-password")),
            identity=WORKER,
        )
        producer = impostor.producer()
        with pytest.raises(KafkaAccessError) as refused:
            await start_client(impostor, producer)
        assert refused.value.failure is TlsFailure.AUTHENTICATION
    finally:
        gateway(home, port, cport, "kafka", "down")
