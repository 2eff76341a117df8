"""Burrow-style judgement of consumer lag over a sliding window of observations; pure, no I/O.

The rules follow LinkedIn Burrow's evaluator, adapted to observations polled at intervals
rather than one entry per offset commit. For one partition, oldest observation first:

1. no committed offset in the window: UNKNOWN;
2. no lag now: OK (a caught-up consumer is fine even if its offset never moves);
3. fewer than ``min_observations`` observations: UNKNOWN;
4. the lag was zero somewhere in the window: OK (it caught up within the window);
5. the committed offset went backwards between two observations: REWIND;
6. the offset did not move and no live member of the group holds the partition: STOP;
7. the newest commit is older than ``stop_after``: STALL when a live member holds the
   partition (it runs but does not advance), else STOP (commits stopped);
8. the offset did not move although a commit was made within the window: STALL (only with
   true commit times; the collector's first-seen times cannot show a repeated commit);
9. the lag grew across the window's commits (measured where the committed offset changed,
   never below where it started, ending higher): WARN. Burrow warns when the lag merely does
   not decrease; polling between commits sees a saw-tooth, so the trend is judged instead;
10. otherwise OK.

A group's status is the worst of its partitions' (:func:`gateway.lag.model.worst`).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from gateway.exceptions import ConfigError
from gateway.lag.model import (
    Clock,
    GroupStatus,
    Observation,
    PartitionKey,
    PartitionStatus,
    Snapshot,
    Status,
    utc_now,
    worst,
)

__all__ = ["EvaluatorConfig", "LagEvaluator", "evaluate_partition"]


@dataclasses.dataclass(frozen=True, slots=True)
class EvaluatorConfig:
    """How much history a status rests on and when silence means a stop.

    ``window`` observations are kept per partition (Burrow's default is 10);
    ``min_observations`` are needed before a lagging partition is judged; ``stop_after`` is how
    old the newest commit of a lagging partition may be before it counts as stopped.
    """

    window: int = 10
    min_observations: int = 3
    stop_after: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ConfigError(f"the lag window must hold at least 1 observation, not {self.window}")
        if not 1 <= self.min_observations <= self.window:
            raise ConfigError(
                f"min_observations must be between 1 and the window ({self.window}), "
                f"not {self.min_observations}"
            )
        if self.stop_after <= timedelta(0):
            raise ConfigError(f"stop_after must be positive, not {self.stop_after}")


def _since(window: Sequence[Observation]) -> datetime:
    """When the newest committed offset was first seen in the window (fallback commit time)."""
    newest = window[-1].committed
    first = window[-1]
    for obs in reversed(window):
        if obs.committed != newest:
            break
        first = obs
    return first.observed_at


def _lag_grew(window: Sequence[Observation]) -> tuple[int, int] | None:
    """The lag at the window's start and end when it grew across the commits, else None."""
    points = [window[0]] + [b for a, b in pairwise(window) if b.committed != a.committed]
    lags = [p.lag or 0 for p in points]
    if len(lags) < 2 or lags[-1] <= lags[0] or min(lags) < lags[0]:
        return None
    return lags[0], lags[-1]


Judgement = tuple[Status, str]


def _settled(seen: Sequence[Observation], config: EvaluatorConfig) -> Judgement | None:
    """Rules 1-4: no offset, no lag, too few observations, caught up within the window."""
    if not seen:
        return Status.UNKNOWN, "no committed offset"
    if seen[-1].lag == 0:
        return Status.OK, "caught up"
    if len(seen) < config.min_observations:
        return Status.UNKNOWN, f"{len(seen)} of {config.min_observations} observations so far"
    if any(o.lag == 0 for o in seen):
        return Status.OK, "caught up within the window"
    return None


def _fault(seen: Sequence[Observation], now: datetime, config: EvaluatorConfig) -> Judgement | None:
    """Rules 5-8 on a lagging partition: REWIND, STOP, STALL."""
    current, lag = seen[-1], seen[-1].lag
    for a, b in pairwise(o.committed or 0 for o in seen):
        if b < a:
            return Status.REWIND, f"committed offset went back from {a} to {b}"
    moved = seen[0].committed != current.committed
    if not moved and current.consuming is False:
        return (
            Status.STOP,
            f"no live member holds the partition; offset stays at {current.committed}, lag {lag}",
        )
    committed_at = current.committed_at or _since(seen)
    idle = (now - committed_at).total_seconds()
    if idle > config.stop_after.total_seconds():
        if current.consuming:
            holder = current.owner or "a live member"
            return (
                Status.STALL,
                f"{holder} holds the partition but its offset has not moved for {idle:.0f} s, "
                f"lag {lag}",
            )
        return Status.STOP, f"no new commit for {idle:.0f} s, lag {lag}"
    if not moved and committed_at > seen[0].observed_at:
        return Status.STALL, f"offset {current.committed} committed again without moving, lag {lag}"
    return None


def evaluate_partition(
    window: Sequence[Observation], now: datetime, config: EvaluatorConfig
) -> Judgement:
    """Judge one partition's window (oldest first) at ``now``; returns the status and why."""
    seen = [o for o in window if o.committed is not None]
    judged = _settled(seen, config) or _fault(seen, now, config)
    if judged is not None:
        return judged
    grew = _lag_grew(seen)
    if grew is not None:
        return Status.WARN, f"lag grew from {grew[0]} to {grew[1]} while the group committed"
    return Status.OK, "consuming"


class LagEvaluator:
    """Keeps the last ``config.window`` observations per partition and judges them.

    Each :meth:`observe` takes one refresh as the whole picture: partitions and groups that are
    not in it are forgotten. ``clock`` gives the time a status is judged at (injectable for
    tests and drills).
    """

    def __init__(self, config: EvaluatorConfig | None = None, clock: Clock = utc_now) -> None:
        self.config = config or EvaluatorConfig()
        self._clock = clock
        self._windows: dict[PartitionKey, deque[Observation]] = {}
        self._groups: tuple[str, ...] = ()

    def observe(self, snapshot: Snapshot) -> None:
        """Add one refresh's observations to the windows."""
        current = {o.key for o in snapshot.observations}
        for key in [k for k in self._windows if k not in current]:
            del self._windows[key]
        for obs in snapshot.observations:
            window = self._windows.get(obs.key)
            if window is None:
                window = self._windows[obs.key] = deque(maxlen=self.config.window)
            window.append(obs)
        self._groups = tuple(dict.fromkeys(snapshot.groups))

    def window(self, key: PartitionKey) -> tuple[Observation, ...]:
        """The observations kept for one partition, oldest first."""
        return tuple(self._windows.get(key, ()))

    def statuses(self, now: datetime | None = None) -> tuple[GroupStatus, ...]:
        """Every group of the last refresh with its partitions, judged at ``now``."""
        at = now or self._clock()
        by_group: dict[str, list[PartitionStatus]] = {g: [] for g in self._groups}
        for key in sorted(self._windows):
            window = self._windows[key]
            status, detail = evaluate_partition(window, at, self.config)
            by_group.setdefault(key.group, []).append(
                PartitionStatus(window[-1], status, detail, len(window))
            )
        return tuple(
            GroupStatus(group, worst(p.status for p in parts), tuple(parts))
            for group, parts in by_group.items()
        )
