"""Readiness answers and the cached broker probe (no network: the check is a stand-in)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from gateway.kafka import KafkaConnection
from gateway.metrics import BrokerProbe, readiness
from gateway.signing import CrlFailure, CrlState


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


def _crl(*, expired: bool = False, fail_closed: bool = True, failures: int = 0) -> CrlState:
    at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    return CrlState(
        at=at,
        files=1,
        revoked=3,
        next_update=at - timedelta(minutes=1) if expired else at + timedelta(hours=1),
        next_update_file="/pki/ca/crl.pem",
        expired=expired,
        fail_closed=fail_closed,
        grace=timedelta(seconds=30),
        failures=tuple(
            CrlFailure(f"/pki/{i}.pem", "not a readable X.509 CRL", in_force=True)
            for i in range(failures)
        ),
    )


def test_an_expired_crl_under_fail_closed_is_not_ready() -> None:
    answer = readiness(broker=True, assigned=True, crl=_crl(expired=True))
    assert answer.status == 503
    assert answer.body["reason"] == "crl_expired"
    assert answer.body["next_update"] == "2026-06-01T11:59:00+00:00"
    assert answer.body["file"] == "/pki/ca/crl.pem"
    assert answer.body["grace_s"] == 30.0
    assert "docs/operations.md#crl_expired" in str(answer.body["message"])


def test_crl_expired_is_named_before_no_assignment_and_stalled_but_after_the_broker() -> None:
    expired = _crl(expired=True)
    assert readiness(broker=True, assigned=False, crl=expired).body["reason"] == "crl_expired"
    held = readiness(broker=True, assigned=True, stalled=["intake"], crl=expired)
    assert held.body["reason"] == "crl_expired"
    down = readiness(broker=False, assigned=True, crl=expired)
    assert down.body["reason"] == "broker_unavailable"


def test_crl_problems_that_do_not_stop_the_work_are_warnings() -> None:
    assert readiness(broker=True, assigned=True, crl=_crl()).body == {"status": "ready"}
    failing_open = readiness(broker=True, assigned=True, crl=_crl(expired=True, fail_closed=False))
    assert (failing_open.status, failing_open.body["warnings"]) == (200, ["crl_expired"])
    refused = readiness(broker=True, assigned=True, crl=_crl(failures=1))
    assert (refused.status, refused.body["warnings"]) == (200, ["crl_invalid"])
