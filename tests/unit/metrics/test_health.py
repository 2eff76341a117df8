"""Readiness answers and the cached broker probe (no network: the check is a stand-in)."""

from __future__ import annotations

import asyncio

from gateway.kafka import KafkaConnection
from gateway.metrics import BrokerProbe, readiness


def test_ready_only_with_a_broker_and_an_assignment() -> None:
    assert readiness(broker=True, assigned=True).status == 200
    down = readiness(broker=False, assigned=True)
    assert (down.status, down.body["reason"]) == (503, "broker_unavailable")
    idle = readiness(broker=True, assigned=False)
    assert (idle.status, idle.body["reason"]) == (503, "no_assignment")


class _Broker:
    def __init__(self) -> None:
        self.up = True
        self.calls: list[tuple[KafkaConnection, float]] = []

    async def check(self, connection: KafkaConnection, timeout: float) -> bool:
        self.calls.append((connection, timeout))
        await asyncio.sleep(0)
        return self.up


async def test_the_probe_asks_the_broker_at_most_once_per_ttl() -> None:
    broker, now = _Broker(), [0.0]
    connection = KafkaConnection(("a:9092", "b:9092"))
    probe = BrokerProbe(connection, ttl=2.0, timeout=0.5, check=broker.check, clock=lambda: now[0])
    assert all(await asyncio.gather(*(probe.answers() for _ in range(5))))
    assert broker.calls == [(connection, 0.5)]
    broker.up = False
    now[0] = 1.9
    assert await probe.answers()  # still the cached answer
    now[0] = 2.0
    assert not await probe.answers()
    assert len(broker.calls) == 2
