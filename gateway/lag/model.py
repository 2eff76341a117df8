"""Consumer lag as data: what was seen of one partition, and the statuses judged from it; pure.

An :class:`Observation` is one look at one group's committed offset on one partition next to
the partition's log-end offset. A :class:`Snapshot` is one refresh: every observation of the
groups asked for, taken together. The evaluator (:mod:`gateway.lag.status`) turns sliding
windows of observations into a :class:`PartitionStatus` per partition and a
:class:`GroupStatus` per group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "Clock",
    "GroupStatus",
    "Observation",
    "PartitionKey",
    "PartitionStatus",
    "Snapshot",
    "Status",
    "report",
    "utc_now",
    "worst",
]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, timezone-aware in UTC: the default clock of the collector and evaluator."""
    return datetime.now(UTC)


class Status(StrEnum):
    """A partition's or a group's health, in Burrow's vocabulary; :attr:`rank` orders them.

    OK < UNKNOWN < WARN < STOP < STALL < REWIND, the order Burrow gives its own statuses
    (UNKNOWN sits just above OK: nothing is known to be wrong, but nothing is vouched for).
    """

    OK = "OK"
    UNKNOWN = "UNKNOWN"
    WARN = "WARN"
    STOP = "STOP"
    STALL = "STALL"
    REWIND = "REWIND"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {status: rank for rank, status in enumerate(Status)}


def worst(statuses: Iterable[Status], default: Status = Status.UNKNOWN) -> Status:
    """The highest-ranked status, or ``default`` when there is none."""
    return max(statuses, key=lambda s: s.rank, default=default)


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class PartitionKey:
    """One group's view of one partition: the unit a window and a status belong to."""

    group: str
    topic: str
    partition: int


@dataclasses.dataclass(frozen=True, slots=True)
class Observation:
    """One look at a group's committed offset on a partition, at ``observed_at``.

    ``committed`` is None when the group has no offset for the partition. ``committed_at`` is
    the newest known commit time of that offset: the broker's when a source knows it, else (the
    collector) the time the offset value was first seen, since Kafka's OffsetFetch returns no
    commit time. ``oldest_unconsumed_at`` is the timestamp of the record at the committed
    offset (the oldest one the group has not consumed), when it was read. ``owner`` names the
    live group member that holds the partition; ``consuming`` says whether one does (None when
    the group's members could not be read).
    """

    group: str
    topic: str
    partition: int
    observed_at: datetime
    committed: int | None
    end: int
    committed_at: datetime | None = None
    oldest_unconsumed_at: datetime | None = None
    owner: str | None = None
    consuming: bool | None = None

    @property
    def key(self) -> PartitionKey:
        return PartitionKey(self.group, self.topic, self.partition)

    @property
    def lag(self) -> int | None:
        """Messages behind the log end; never negative (the end is read after the commit)."""
        if self.committed is None:
            return None
        return max(0, self.end - self.committed)

    @property
    def lag_seconds(self) -> float | None:
        """Age of the oldest unconsumed message at ``observed_at``; 0 when caught up."""
        lag = self.lag
        if lag == 0:
            return 0.0
        if lag is None or self.oldest_unconsumed_at is None:
            return None
        return max(0.0, (self.observed_at - self.oldest_unconsumed_at).total_seconds())


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """One refresh: the groups asked for and every observation of their partitions.

    A group with no committed offset has no observation but is still listed in ``groups``.
    """

    observed_at: datetime
    groups: tuple[str, ...]
    observations: tuple[Observation, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class PartitionStatus:
    """The judgement of one partition's window, with the sentence that explains it."""

    current: Observation
    status: Status
    detail: str
    observations: int

    @property
    def key(self) -> PartitionKey:
        return self.current.key

    def as_dict(self) -> dict[str, Any]:
        """Stable keys for ``gateway lag --json`` and dashboards."""
        c = self.current
        return {
            "topic": c.topic,
            "partition": c.partition,
            "status": self.status.value,
            "committed": c.committed,
            "end": c.end,
            "lag": c.lag,
            "lag_seconds": c.lag_seconds,
            "committed_at": _iso(c.committed_at),
            "oldest_unconsumed_at": _iso(c.oldest_unconsumed_at),
            "owner": c.owner,
            "observations": self.observations,
            "detail": self.detail,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class GroupStatus:
    """A group's status: the worst of its partitions' (UNKNOWN when it has none)."""

    group: str
    status: Status
    partitions: tuple[PartitionStatus, ...]

    @property
    def total_lag(self) -> int:
        return sum(p.current.lag or 0 for p in self.partitions)

    @property
    def max_lag_seconds(self) -> float | None:
        known = [s for p in self.partitions if (s := p.current.lag_seconds) is not None]
        return max(known, default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "status": self.status.value,
            "total_lag": self.total_lag,
            "max_lag_seconds": self.max_lag_seconds,
            "partitions": [p.as_dict() for p in self.partitions],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def report(observed_at: datetime, groups: Iterable[GroupStatus]) -> Mapping[str, Any]:
    """The whole ``--json`` document of one refresh."""
    return {"observed_at": observed_at.isoformat(), "groups": [g.as_dict() for g in groups]}
