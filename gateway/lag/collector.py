"""Observations of consumer groups, read from Kafka: the I/O half of ``gateway lag``.

One :class:`LagCollector` holds one admin client and one group-less consumer for its whole
life and is reused for every refresh. A refresh (:meth:`LagCollector.collect`) makes, with one
broker: one OffsetFetch per group (concurrently, to the group's coordinator, which is looked up
once and cached), one DescribeGroups per group (who holds which partition), one
Metadata (which topics still exist), one ListOffsets per partition leader (log-end offsets),
and for the oldest unconsumed message's timestamp one Fetch per leader per round of lagging
partitions whose committed offset moved since the last refresh (see
:mod:`gateway.lag._oldest`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import (
    GroupCoordinatorNotAvailableError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NodeNotReadyError,
    NotCoordinatorForGroupError,
    RequestTimedOutError,
)

from gateway.exceptions import BrokerError
from gateway.kafka import KafkaConnection, start_client
from gateway.lag._oldest import OffsetKey, OldestReader
from gateway.lag.commits import CommitTimes
from gateway.lag.model import Clock, Observation, PartitionKey, Snapshot, utc_now

__all__ = ["LagCollector", "RefreshStats"]

log = structlog.get_logger(__name__)

# who holds each partition of a group: None when the group's members could not be read
Owners = dict[TopicPartition, str] | None


@dataclasses.dataclass(frozen=True, slots=True)
class RefreshStats:
    """What the last refresh covered and how much it had to fetch."""

    groups: int
    partitions: int
    lagging: int
    timestamps_fetched: int
    fetch_rounds: int


def _owners(described: Sequence[Any]) -> Owners:
    """Decode one DescribeGroups entry into partition -> "client_id@host" of its holder."""
    error_code, _group, _state, protocol_type, _protocol, members = described[:6]
    if error_code:
        return None
    owners: dict[TopicPartition, str] = {}
    if members and protocol_type != "consumer":
        return None  # Connect workers and the like: the assignment is not partitions
    for _member_id, client_id, host, _metadata, assignment in members:
        if not assignment:
            continue
        try:
            decoded = ConsumerProtocolMemberAssignment.decode(assignment)
        except Exception:  # noqa: BLE001 -- a custom assignor's bytes: ownership unknown
            return None
        for tp in decoded.partitions():
            owners[tp] = f"{client_id}@{host.lstrip('/')}"
    return owners


class LagCollector:
    """Reads committed offsets, log-end offsets and oldest-unconsumed timestamps of groups.

    Use as ``async with LagCollector(bootstrap) as collector: await collector.collect(...)``.
    ``clock`` stamps observations (injectable for tests); ``fetch_timeout_s`` bounds the wait
    for the records whose timestamps give the lag in seconds.
    """

    def __init__(
        self,
        connection: KafkaConnection,
        *,
        clock: Clock = utc_now,
        fetch_timeout_s: float = 2.0,
        request_timeout_ms: int = 15_000,
    ) -> None:
        self.connection = connection
        self.bootstrap = ",".join(connection.bootstrap)
        self._clock = clock
        self._admin = connection.admin(request_timeout_ms=request_timeout_ms)
        self._consumer = connection.consumer(
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # an offset past retention: the oldest record left
            max_partition_fetch_bytes=64 * 1024,  # one record is wanted, not a backlog
            fetch_max_wait_ms=100,
            request_timeout_ms=request_timeout_ms,
        )
        self._oldest = OldestReader(self._consumer, fetch_timeout_s)
        self._coordinators: dict[str, int] = {}
        self._commit_times = CommitTimes()
        self.stats = RefreshStats(0, 0, 0, 0, 0)
        self._refreshing = asyncio.Lock()  # one refresh at a time: the consumer is shared

    def _unreachable(self, exc: BaseException) -> BrokerError:
        unreachable = (
            KafkaConnectionError | KafkaTimeoutError | NodeNotReadyError | RequestTimedOutError
        )
        if isinstance(exc, unreachable | OSError):
            return BrokerError(
                f"cannot reach Kafka at {self.bootstrap} to read consumer groups: {exc!r}",
                hint="start the broker (`gateway kafka up`) or point GATEWAY_KAFKA_BOOTSTRAP "
                "(or kafka_bootstrap in --config) at a reachable one",
            )
        return BrokerError(
            f"Kafka at {self.bootstrap} refused to describe consumer groups: {exc!r}",
            hint="the client needs Describe on the groups and topics (Kafka ACLs)",
        )

    async def start(self) -> None:
        """Connect both clients; raises :class:`BrokerError` when the broker is unreachable."""
        try:
            await start_client(self.connection, self._admin)
            await start_client(self.connection, self._consumer)
        except BrokerError:
            await self.close()  # start_client said why; the other client must not leak
            raise
        except (KafkaError, OSError) as exc:
            await self.close()
            raise self._unreachable(exc) from exc

    async def close(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def __aenter__(self) -> LagCollector:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def list_groups(self) -> list[str]:
        """Every consumer group the cluster knows, sorted."""
        try:
            listed = await self._admin.list_consumer_groups()
        except (KafkaError, OSError) as exc:
            raise self._unreachable(exc) from exc
        return sorted({str(entry[0]) for entry in listed})

    async def collect(self, groups: Iterable[str]) -> Snapshot:
        """One refresh: an observation of every partition the ``groups`` have committed on.

        Concurrent calls run one after the other. Raises :class:`BrokerError` when Kafka
        cannot be read.
        """
        async with self._refreshing:
            return await self._collect(tuple(dict.fromkeys(groups)))

    async def _collect(self, names: tuple[str, ...]) -> Snapshot:
        now = self._clock()
        try:
            await asyncio.gather(*(self._coordinator(g) for g in names))
            committed, owners, topics = await asyncio.gather(
                asyncio.gather(*(self._committed(g) for g in names)),
                self._describe(names),
                self._admin.list_topics(),
            )
            existing = set(topics)
            by_group = {
                g: {tp: o for tp, o in offsets.items() if tp.topic in existing}
                for g, offsets in zip(names, committed, strict=True)
            }
            tps = sorted({tp for offsets in by_group.values() for tp in offsets})
            ends: Mapping[TopicPartition, int] = (
                await self._consumer.end_offsets(tps) if tps else {}
            )
            lagging = {
                (tp, offset)
                for offsets in by_group.values()
                for tp, offset in offsets.items()
                if offset < ends[tp]
            }
            oldest = await self._oldest.timestamps(lagging)
        except (KafkaError, OSError) as exc:
            raise self._unreachable(exc) from exc
        observations = self._observations(now, by_group, owners, ends, oldest)
        self.stats = RefreshStats(
            groups=len(names),
            partitions=len(observations),
            lagging=len(lagging),
            timestamps_fetched=self._oldest.fetched,
            fetch_rounds=self._oldest.fetch_rounds,
        )
        log.debug("lag_collected", **dataclasses.asdict(self.stats))
        return Snapshot(now, names, observations)

    def _observations(
        self,
        now: datetime,
        by_group: Mapping[str, Mapping[TopicPartition, int]],
        owners: Mapping[str, Owners],
        ends: Mapping[TopicPartition, int],
        oldest: Mapping[OffsetKey, datetime],
    ) -> tuple[Observation, ...]:
        out: list[Observation] = []
        for group, offsets in by_group.items():
            held = owners.get(group)
            for tp in sorted(offsets):
                offset = offsets[tp]
                key = PartitionKey(group, tp.topic, tp.partition)
                out.append(
                    Observation(
                        group=group,
                        topic=tp.topic,
                        partition=tp.partition,
                        observed_at=now,
                        committed=offset,
                        end=ends[tp],
                        committed_at=self._commit_times.stamp(key, offset, now),
                        oldest_unconsumed_at=oldest.get((tp, offset)),
                        owner=held.get(tp) if held is not None else None,
                        consuming=(tp in held) if held is not None else None,
                    )
                )
        self._commit_times.retain({o.key for o in out})
        return tuple(out)

    async def _coordinator(self, group: str, *, fresh: bool = False) -> int:
        if fresh or group not in self._coordinators:
            self._coordinators[group] = await self._admin.find_coordinator(group)
        return self._coordinators[group]

    async def _committed(self, group: str) -> dict[TopicPartition, int]:
        """The group's committed offsets; a moved coordinator is looked up again once."""
        try:
            answer = await self._admin.list_consumer_group_offsets(
                group, group_coordinator_id=await self._coordinator(group)
            )
        except (NotCoordinatorForGroupError, GroupCoordinatorNotAvailableError):
            answer = await self._admin.list_consumer_group_offsets(
                group, group_coordinator_id=await self._coordinator(group, fresh=True)
            )
        return {tp: meta.offset for tp, meta in answer.items() if meta.offset >= 0}

    async def _describe(self, groups: Sequence[str]) -> dict[str, Owners]:
        """Who holds each partition, per group: one DescribeGroups per group, concurrently.

        One request per coordinator could carry every group, but aiokafka 0.14 decodes a
        DescribeGroups v3 answer with the v2 schema (no ``authorized_operations``), which only
        works when the answer holds a single group.
        """
        answers = await asyncio.gather(
            *(
                self._admin.describe_consumer_groups(
                    [group], group_coordinator_id=self._coordinators[group]
                )
                for group in groups
            )
        )
        out: dict[str, Owners] = dict.fromkeys(groups)
        for responses in answers:
            for response in responses:
                for described in response.groups:
                    out[described[1]] = _owners(described)
        return out
