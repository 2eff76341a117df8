"""The project's own broker: up twice is safe, down and up keeps the data."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.integration.brokers import gateway, own_broker

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

        second = gateway(home, port, cport, "kafka", "up")
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr

        applied = gateway(home, port, cport, "topics", "apply")
        assert applied.returncode == 0, applied.stderr
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
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
        consumer = AIOKafkaConsumer(
            "exchange.events",
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
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
