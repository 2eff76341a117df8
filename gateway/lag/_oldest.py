"""The timestamp of the record at a committed offset: the oldest message a group has not consumed.

One group-less consumer does the reading, in rounds: the partitions of a round are assigned
together, each seeked to the lowest offset still wanted on it, and fetched in one Fetch
request per leader (at most 64 KiB per partition); a partition is paused as soon as its
records arrive, and the assignment is dropped after the last round, so no partition stays
assigned between refreshes. The records of one fetch settle every wanted offset they reach,
so groups at nearby offsets of a partition share a round; offsets further on need another.
Timestamps are cached by (partition, offset): a record's timestamp never changes, so an
offset that has not moved since the last refresh costs nothing.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import RecordTooLargeError, TopicAuthorizationFailedError

__all__ = ["OffsetKey", "OldestReader"]

OffsetKey = tuple[TopicPartition, int]
_Read = tuple[dict[OffsetKey, datetime], set[OffsetKey]]


class OldestReader:
    """Reads record timestamps at given offsets with a consumer it borrows (not owns)."""

    def __init__(self, consumer: AIOKafkaConsumer, timeout_s: float) -> None:
        self._consumer = consumer
        self._timeout_s = timeout_s
        self._cache: dict[OffsetKey, datetime] = {}
        # topics this identity may describe but not read (an operator's: it reads no
        # message): their lag has no age in seconds, and they are not asked again
        self.unreadable: set[str] = set()
        self.fetch_rounds = 0
        self.fetched = 0

    async def timestamps(self, wanted: Collection[OffsetKey]) -> dict[OffsetKey, datetime]:
        """The timestamp of the record at each (partition, offset) that could be read in time.

        A key is missing from the answer when its partition yielded no record within the
        timeout (only aborted-transaction markers left, or a slow leader).
        """
        found = {k: self._cache[k] for k in wanted if k in self._cache}
        todo: dict[TopicPartition, list[int]] = defaultdict(list)
        for tp, offset in sorted(set(wanted) - found.keys()):
            if tp.topic not in self.unreadable:
                todo[tp].append(offset)
        self.fetched = sum(len(offsets) for offsets in todo.values())
        self.fetch_rounds = 0
        try:
            while todo:
                stamps, settled = await self._read(todo)
                found.update(stamps)
                self.fetch_rounds += 1
                left = {tp: [o for o in os if (tp, o) not in settled] for tp, os in todo.items()}
                todo = {tp: offsets for tp, offsets in left.items() if offsets}
        finally:
            if self._consumer.assignment():
                self._consumer.unsubscribe()
        self._cache = dict(found)  # only the offsets current now: the cache stays bounded
        return found

    async def _read(self, todo: Mapping[TopicPartition, list[int]]) -> _Read:
        try:
            return await self._read_together(todo)
        except TopicAuthorizationFailedError as exc:
            named = exc.args[0] if exc.args and isinstance(exc.args[0], str) else None
            denied = {named} if named else {tp.topic for tp in todo}
            self.unreadable |= denied
            self._consumer.unsubscribe()
            # the denied topic's offsets are settled without an age; the others are read
            # in the next round
            return {}, {
                (tp, o) for tp, offsets in todo.items() if tp.topic in denied for o in offsets
            }
        except RecordTooLargeError:
            # The broker returns a whole oversized batch only for the first partition of a
            # response; alone, each partition is first.
            stamps: dict[OffsetKey, datetime] = {}
            settled: set[OffsetKey] = set()
            for tp, offsets in todo.items():
                one, done = await self._read_together({tp: offsets})
                stamps.update(one)
                settled |= done
            return stamps, settled

    async def _read_together(self, todo: Mapping[TopicPartition, list[int]]) -> _Read:
        """One round: each partition from its lowest wanted offset, one Fetch per leader.

        The records that come back settle every wanted offset up to the last of them, so
        groups at nearby offsets of a partition cost one round together. A partition that
        yields nothing in time is settled without a timestamp.
        """
        consumer = self._consumer
        consumer.assign(list(todo))
        for tp, offsets in todo.items():
            consumer.seek(tp, offsets[0])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        pending = set(todo)
        stamps: dict[OffsetKey, datetime] = {}
        settled: set[OffsetKey] = set()
        while pending and (left := deadline - loop.time()) > 0:
            batch = await consumer.getmany(*pending, timeout_ms=max(1, int(left * 1000)))
            for tp, records in batch.items():
                if tp not in pending or not records:
                    continue
                pending.discard(tp)
                consumer.pause(tp)
                have = [r.offset for r in records]
                for offset in todo[tp]:
                    if offset > have[-1]:
                        break
                    settled.add((tp, offset))
                    stamp = records[bisect_left(have, offset)].timestamp
                    if stamp >= 0:
                        stamps[(tp, offset)] = datetime.fromtimestamp(stamp / 1000, UTC)
        settled.update((tp, offset) for tp in pending for offset in todo[tp])
        return stamps, settled
