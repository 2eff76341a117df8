"""The Burrow-style rules, one window of observations at a time; no broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from gateway.exceptions import ConfigError
from gateway.lag import (
    EvaluatorConfig,
    Observation,
    PartitionKey,
    Snapshot,
    Status,
    evaluate_partition,
    worst,
)
from gateway.lag.status import LagEvaluator

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
CONFIG = EvaluatorConfig(window=10, min_observations=3, stop_after=timedelta(seconds=60))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def window(
    points: list[tuple[int | None, int]],
    *,
    step: float = 5.0,
    consuming: bool | None = True,
    committed_at: list[float | None] | None = None,
) -> list[Observation]:
    """Observations ``step`` seconds apart from (committed, end) pairs; commit times first-seen
    unless ``committed_at`` gives them."""
    out: list[Observation] = []
    first_seen: tuple[int | None, datetime] | None = None
    for i, (committed, end) in enumerate(points):
        now = at(i * step)
        if first_seen is None or first_seen[0] != committed:
            first_seen = (committed, now)
        stamp = first_seen[1] if committed_at is None else _maybe(committed_at[i])
        out.append(
            Observation(
                "g", "t", 0, now, committed, end, stamp, owner="w-1@host", consuming=consuming
            )
        )
    return out


def _maybe(seconds: float | None) -> datetime | None:
    return None if seconds is None else at(seconds)


@dataclass
class Case:
    name: str
    points: list[tuple[int | None, int]]
    expected: Status
    now: float | None = None  # seconds after T0; default: the newest observation's time
    kwargs: dict[str, object] = field(default_factory=dict)


CASES = [
    Case("empty window", [], Status.UNKNOWN),
    Case("no committed offset at all", [(None, 5), (None, 9), (None, 12)], Status.UNKNOWN),
    Case("one observation, caught up", [(7, 7)], Status.OK),
    Case("one observation, lagging", [(3, 7)], Status.UNKNOWN),
    Case("two of three observations, lagging", [(3, 7), (4, 9)], Status.UNKNOWN),
    Case(
        "caught up and idle: offsets never move, no members, long silence",
        [(40, 40)] * 5,
        Status.OK,
        now=3600,
        kwargs={"consuming": False},
    ),
    Case("caught up now after lagging", [(10, 20), (15, 30), (30, 30)], Status.OK),
    Case("zero lag earlier in the window", [(10, 10), (10, 20), (12, 30)], Status.OK),
    Case("catching up: lag falls", [(0, 100), (40, 120), (90, 130)], Status.OK),
    Case("keeping pace at a steady lag", [(0, 10), (10, 20), (20, 30)], Status.OK),
    Case("falling behind: lag grows at every commit", [(0, 15), (5, 35), (10, 55)], Status.WARN),
    Case(
        "saw-tooth but growing: WARN on the trend",
        [(0, 10), (0, 14), (8, 20), (8, 26), (16, 32)],
        Status.WARN,
    ),
    Case(
        "saw-tooth that recovers below its start: OK",
        [(0, 10), (0, 14), (8, 20), (8, 26), (24, 30)],
        Status.OK,
    ),
    Case("lag grows but the offset has not moved yet: too early", [(5, 10)] * 3, Status.OK),
    Case("offset rewound", [(50, 60), (55, 70), (20, 80)], Status.REWIND),
    Case(
        "rewind beats stop",
        [(50, 60), (20, 70), (20, 80)],
        Status.REWIND,
        now=600,
        kwargs={"consuming": False},
    ),
    Case(
        "no live member and the offset still: STOP at once",
        [(5, 10), (5, 12), (5, 20)],
        Status.STOP,
        kwargs={"consuming": False},
    ),
    Case(
        "members unknown, no new commit for longer than stop_after: STOP",
        [(5, 10), (5, 12), (5, 20)],
        Status.STOP,
        now=75,
        kwargs={"consuming": None},
    ),
    Case(
        "members unknown, silent for less than stop_after",
        [(5, 10), (5, 12), (5, 20)],
        Status.OK,
        now=30,
        kwargs={"consuming": None},
    ),
    Case(
        "a live member holds it but it has not moved for longer than stop_after: STALL",
        [(5, 10), (5, 12), (5, 20)],
        Status.STALL,
        now=75,
    ),
    Case(
        "moved earlier, then no commit for longer than stop_after: STOP",
        [(1, 10), (5, 12), (5, 20), (5, 30)],
        Status.STOP,
        now=120,
        kwargs={"consuming": None},
    ),
    Case(
        "true commit times: committed again within the window without moving: STALL",
        [(5, 10), (5, 12), (5, 20)],
        Status.STALL,
        kwargs={"committed_at": [0.0, 5.0, 10.0]},
    ),
    Case(
        "missing commit times fall back to when the offset was first seen",
        [(5, 10), (5, 12), (5, 20)],
        Status.STOP,
        now=75,
        kwargs={"committed_at": [None, None, None], "consuming": None},
    ),
    Case(
        "an observation without offset (partition appearing) does not count",
        [(None, 10), (None, 12), (5, 20), (6, 30)],
        Status.UNKNOWN,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_partition_rules(case: Case) -> None:
    obs = window(case.points, **case.kwargs)  # type: ignore[arg-type]
    now = at(case.now) if case.now is not None else (obs[-1].observed_at if obs else T0)
    status, detail = evaluate_partition(obs, now, CONFIG)
    assert status is case.expected, detail
    assert detail


def test_every_status_is_covered_by_the_table() -> None:
    assert {c.expected for c in CASES} == set(Status)


def test_details_explain() -> None:
    obs = window([(50, 60), (55, 70), (20, 80)])
    assert evaluate_partition(obs, obs[-1].observed_at, CONFIG)[1] == (
        "committed offset went back from 55 to 20"
    )
    stall = window([(5, 10), (5, 12), (5, 20)])
    assert "w-1@host holds the partition" in evaluate_partition(stall, at(75), CONFIG)[1]


def test_status_order_and_worst() -> None:
    assert [s.rank for s in Status] == sorted(s.rank for s in Status)
    assert worst([Status.OK, Status.WARN, Status.UNKNOWN]) is Status.WARN
    assert worst([Status.STOP, Status.REWIND, Status.STALL]) is Status.REWIND
    assert worst([]) is Status.UNKNOWN
    assert worst([Status.OK, Status.UNKNOWN]) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 0}, "at least 1"),
        ({"window": 3, "min_observations": 4}, "between 1 and the window"),
        ({"min_observations": 0}, "between 1"),
        ({"stop_after": timedelta(0)}, "positive"),
    ],
)
def test_bad_config(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        EvaluatorConfig(**kwargs)  # type: ignore[arg-type]


def test_lag_seconds() -> None:
    old = at(-90)
    lagging = Observation("g", "t", 0, T0, 5, 9, oldest_unconsumed_at=old)
    assert lagging.lag == 4
    assert lagging.lag_seconds == 90.0
    assert Observation("g", "t", 0, T0, 9, 9).lag_seconds == 0.0
    assert Observation("g", "t", 0, T0, 5, 9).lag_seconds is None
    future = Observation("g", "t", 0, T0, 5, 9, oldest_unconsumed_at=at(3))
    assert future.lag_seconds == 0.0  # a producer's clock ahead of ours
    assert Observation("g", "t", 0, T0, None, 9).lag is None
    assert Observation("g", "t", 0, T0, 12, 9).lag == 0  # end read before a newer commit


def snap(seconds: float, groups: tuple[str, ...], *obs: Observation) -> Snapshot:
    return Snapshot(at(seconds), groups, obs)


def o(group: str, partition: int, seconds: float, committed: int, end: int) -> Observation:
    return Observation(group, "t", partition, at(seconds), committed, end, at(0), consuming=True)


def test_evaluator_window_slides_and_partitions_come_and_go() -> None:
    ev = LagEvaluator(EvaluatorConfig(window=3, min_observations=2), clock=lambda: at(10))
    ev.observe(snap(0, ("a", "b"), o("a", 0, 0, 5, 5)))
    ev.observe(snap(1, ("a", "b"), o("a", 0, 1, 5, 5), o("a", 1, 1, 0, 4)))
    groups = {g.group: g for g in ev.statuses()}
    assert groups["a"].status is Status.UNKNOWN  # partition 1 appeared: one observation only
    assert [p.status for p in groups["a"].partitions] == [Status.OK, Status.UNKNOWN]
    assert groups["b"].status is Status.UNKNOWN  # no committed offset anywhere
    assert groups["b"].partitions == ()
    ev.observe(snap(2, ("a",), o("a", 1, 2, 1, 8)))
    (a,) = ev.statuses()
    assert [p.key for p in a.partitions] == [PartitionKey("a", "t", 1)]  # partition 0 left
    assert a.status is Status.WARN
    assert a.total_lag == 7
    for i in range(3):
        ev.observe(snap(3 + i, ("a",), o("a", 1, 3 + i, 2 + i, 8 + 2 * i)))
    assert len(ev.window(PartitionKey("a", "t", 1))) == 3


def test_rewind_leaves_with_the_window() -> None:
    ev = LagEvaluator(EvaluatorConfig(window=3, min_observations=3), clock=lambda: at(5))
    seen = []
    for i, committed in enumerate([10, 12, 4, 5, 6, 7]):
        ev.observe(snap(i, ("a",), o("a", 0, i, committed, committed + 2 + i)))
        seen.append(ev.statuses()[0].status)
    assert seen == [Status.UNKNOWN, Status.UNKNOWN] + [Status.REWIND] * 2 + [Status.WARN] * 2


def test_as_dict_keys_are_stable() -> None:
    ev = LagEvaluator(EvaluatorConfig(min_observations=1), clock=lambda: at(0))
    ev.observe(snap(0, ("a",), o("a", 0, 0, 5, 9)))
    doc = ev.statuses()[0].as_dict()
    assert list(doc) == ["group", "status", "total_lag", "max_lag_seconds", "partitions"]
    assert list(doc["partitions"][0]) == [
        "topic",
        "partition",
        "status",
        "committed",
        "end",
        "lag",
        "lag_seconds",
        "committed_at",
        "oldest_unconsumed_at",
        "owner",
        "observations",
        "detail",
    ]
