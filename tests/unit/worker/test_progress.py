"""The stall watchdog behind ``/readyz``: input waiting on my partitions and no batch since."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.lag import GroupStatus, Observation, PartitionStatus, Status
from gateway.metrics import readiness
from gateway.worker.monitor import Progress

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OUTBOX = "exchange.outbox.1"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _group(lag_by_partition: dict[tuple[str, int], int], group: str = "gw") -> GroupStatus:
    parts = tuple(
        PartitionStatus(Observation(group, t, p, T0, 100 - lag, 100), Status.OK, "", 3)
        for (t, p), lag in lag_by_partition.items()
    )
    return GroupStatus(group, Status.OK, parts)


def _agent(topic: str) -> str | None:
    return {OUTBOX: "intake", "exchange.events": "tracker"}.get(topic)


def test_stalled_only_when_my_input_waits_and_the_agent_is_idle_long_enough() -> None:
    clock = Clock()
    progress = Progress(60, clock)
    lagging = [_group({(OUTBOX, 0): 5, ("exchange.events", 0): 0})]
    mine = {(OUTBOX, 0), ("exchange.events", 0)}
    clock.now = 59
    assert progress.stalled(lagging, "gw", _agent, mine) == []  # not long enough yet
    clock.now = 61
    assert progress.stalled(lagging, "gw", _agent, mine) == ["intake"]
    progress.mark("intake")
    assert progress.stalled(lagging, "gw", _agent, mine) == []  # it moved
    clock.now = 200
    assert progress.stalled(lagging, "gw", _agent, {(OUTBOX, 1)}) == []  # not my partition
    assert progress.stalled(lagging, "other", _agent, mine) == []  # not my group
    caught_up = [_group({(OUTBOX, 0): 0})]
    assert progress.stalled(caught_up, "gw", _agent, mine) == []  # idle, but nothing waits


def test_readiness_names_the_stalled_agents() -> None:
    answer = readiness(broker=True, assigned=True, stalled=["tracker"], stall_s=120)
    assert answer.status == 503
    assert answer.body["reason"] == "stalled"
    assert answer.body["agents"] == ["tracker"]
    assert "120 s" in str(answer.body["message"])
    assert readiness(broker=False, assigned=True, stalled=["tracker"]).body["reason"] == (
        "broker_unavailable"
    )
