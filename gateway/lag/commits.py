"""When each committed offset was first seen: the stand-in for commit times; pure.

Kafka's OffsetFetch answers the committed offset but not when it was committed, so the
collector stamps each offset value with the time it first saw it. An offset that stays the
same keeps its first stamp; one that changes (forward or back) gets a new one. This makes
"the newest commit is older than X" mean "the offset has not changed for X", which is what a
stopped consumer looks like from outside.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from gateway.lag.model import PartitionKey

__all__ = ["CommitTimes"]


class CommitTimes:
    """First-seen time of the current committed offset of every partition key."""

    def __init__(self) -> None:
        self._seen: dict[PartitionKey, tuple[int, datetime]] = {}

    def stamp(self, key: PartitionKey, offset: int, now: datetime) -> datetime:
        """The time ``offset`` was first seen for ``key``; ``now`` when it is new or changed."""
        seen = self._seen.get(key)
        if seen is not None and seen[0] == offset:
            return seen[1]
        self._seen[key] = (offset, now)
        return now

    def retain(self, keys: Collection[PartitionKey]) -> None:
        """Forget the keys not in ``keys`` (partitions whose group or offset went away)."""
        for key in [k for k in self._seen if k not in keys]:
            del self._seen[key]
