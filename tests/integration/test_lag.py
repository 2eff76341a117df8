"""`gateway lag` against the real broker: observations collected at controlled points.

The collector and the evaluator share an injected clock, so "a minute later" is a step of the
clock rather than a sleep; every wait is for an event (a join, an acknowledged commit).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import NewTopic
from click.testing import CliRunner

from gateway.cli.main import cli
from gateway.exceptions import BrokerError
from gateway.kafka import KafkaConnection, start_client
from gateway.lag import EvaluatorConfig, GroupStatus, LagCollector, LagEvaluator, Status
from tests.conftest import Broker, TopicFactory

pytestmark = pytest.mark.integration


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Assigned(ConsumerRebalanceListener):
    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def on_partitions_revoked(self, revoked: object) -> None:
        self.event.clear()

    async def on_partitions_assigned(self, assigned: object) -> None:
        self.event.set()


async def produce(
    bootstrap: KafkaConnection,
    topic: str,
    count: int,
    *,
    first_timestamp_ms: int | None = None,
    size: int = 0,
) -> None:
    producer = bootstrap.producer(acks="all")
    await start_client(bootstrap, producer)
    try:
        for i in range(count):
            stamp = None if first_timestamp_ms is None else first_timestamp_ms + i * 1000
            value = (b"m%d" % i).ljust(size, b".")
            await producer.send(topic, value, partition=0, timestamp_ms=stamp)
        await producer.flush()
    finally:
        await producer.stop()


async def commit(bootstrap: KafkaConnection, group: str, topic: str, offset: int) -> None:
    """Commit ``offset`` for partition 0 as ``group`` without joining it (like a reset tool)."""
    consumer = bootstrap.consumer(
        group_id=group, enable_auto_commit=False
    )  # auto-commit would commit its own position on stop, over ours
    await start_client(bootstrap, consumer)
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.commit({TopicPartition(topic, 0): offset})
    finally:
        await consumer.stop()


async def member(bootstrap: KafkaConnection, group: str, topic: str) -> AIOKafkaConsumer:
    """A live member of ``group`` holding ``topic``'s partitions, once it has joined."""
    consumer = bootstrap.consumer(
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"lag-test-{group}",
    )
    listener = Assigned()
    consumer.subscribe([topic], listener=listener)
    await start_client(bootstrap, consumer)
    await asyncio.wait_for(listener.event.wait(), 30)
    return consumer


async def consume(consumer: AIOKafkaConsumer, count: int) -> int:
    """Read up to ``count`` records (waiting for the first) and commit; how many were read."""
    batch = await consumer.getmany(timeout_ms=10_000, max_records=count)
    await consumer.commit()
    return sum(len(records) for records in batch.values())


@pytest.fixture
def harness(kafka_broker: Broker) -> KafkaConnection:
    """The broker's own identity: these tests make their own topics, groups and records."""
    return kafka_broker.superuser


@pytest.fixture
async def watcher(harness: KafkaConnection) -> AsyncIterator[tuple[LagCollector, Clock]]:
    clock = Clock()
    async with LagCollector(harness, clock=clock) as collector:
        yield collector, clock


async def judge(
    collector: LagCollector, evaluator: LagEvaluator, group: str, clock: Clock, step: float
) -> GroupStatus:
    evaluator.observe(await collector.collect([group]))
    (status,) = evaluator.statuses()
    clock.advance(step)
    return status


async def test_a_group_that_stopped_committing_while_messages_arrive_is_stop(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-stop-{unique}"
    await produce(harness, topic, 10)
    consumer = await member(harness, group, topic)
    assert await consume(consumer, 4) > 0
    await consumer.stop()  # leaves the group: nobody commits any more
    config = EvaluatorConfig(window=5, min_observations=3, stop_after=timedelta(seconds=5))
    evaluator = LagEvaluator(config, clock=clock)
    seen = []
    for _ in range(3):
        await produce(harness, topic, 5)
        seen.append(await judge(collector, evaluator, group, clock, step=10))
    assert [g.status for g in seen] == [Status.UNKNOWN, Status.UNKNOWN, Status.STOP]
    lags = [g.total_lag for g in seen]
    assert lags == sorted(lags)
    assert lags[0] < lags[-1]
    (partition,) = seen[-1].partitions
    assert partition.current.consuming is False
    assert "no live member" in partition.detail


async def test_a_consumer_slower_than_the_producer_warns(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-slow-{unique}"
    await produce(harness, topic, 1)
    consumer = await member(harness, group, topic)
    try:
        evaluator = LagEvaluator(EvaluatorConfig(min_observations=3), clock=clock)
        statuses = []
        for _ in range(3):
            await produce(harness, topic, 20)
            assert await consume(consumer, 5) > 0
            statuses.append(await judge(collector, evaluator, group, clock, step=1))
    finally:
        await consumer.stop()
    assert statuses[-1].status is Status.WARN, statuses[-1]
    (partition,) = statuses[-1].partitions
    assert partition.current.owner is not None
    assert f"lag-test-{group}" in partition.current.owner
    assert "lag grew" in partition.detail


async def test_a_live_member_that_does_not_advance_stalls(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-stall-{unique}"
    await produce(harness, topic, 20)
    consumer = await member(harness, group, topic)
    try:
        assert await consume(consumer, 5) > 0
        config = EvaluatorConfig(window=5, min_observations=3, stop_after=timedelta(seconds=5))
        evaluator = LagEvaluator(config, clock=clock)
        statuses = [await judge(collector, evaluator, group, clock, step=10) for _ in range(3)]
    finally:
        await consumer.stop()
    assert statuses[-1].status is Status.STALL, statuses[-1]


async def test_lag_in_seconds_grows_while_the_consumer_is_stopped(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-age-{unique}"
    first_ms = (int(time.time()) - 120) * 1000  # records written two minutes "ago"
    await produce(harness, topic, 10, first_timestamp_ms=first_ms)
    await commit(harness, group, topic, 3)
    clock.now = datetime.fromtimestamp(first_ms / 1000 + 120, UTC)
    (before,) = (await collector.collect([group])).observations
    clock.advance(30)
    await produce(harness, topic, 5)  # newer messages do not make the oldest younger
    (after,) = (await collector.collect([group])).observations
    assert before.oldest_unconsumed_at == datetime.fromtimestamp(first_ms / 1000 + 3, UTC)
    assert before.lag_seconds == 117.0
    assert after.lag_seconds == 147.0
    assert (before.lag, after.lag) == (7, 12)
    assert collector.stats.timestamps_fetched == 0  # offset unchanged: the cached timestamp


async def test_a_caught_up_group_is_ok_even_without_members(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-ok-{unique}"
    await produce(harness, topic, 10)
    await commit(harness, group, topic, 10)
    evaluator = LagEvaluator(EvaluatorConfig(stop_after=timedelta(seconds=1)), clock=clock)
    statuses = [await judge(collector, evaluator, group, clock, step=60) for _ in range(3)]
    assert [g.status for g in statuses] == [Status.OK] * 3
    (partition,) = statuses[-1].partitions
    assert (partition.current.lag, partition.current.lag_seconds) == (0, 0.0)


async def test_resetting_the_offset_backwards_is_rewind(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    collector, clock = watcher
    topic, group = await new_topic("lag"), f"lag-rewind-{unique}"
    await produce(harness, topic, 20)
    evaluator = LagEvaluator(EvaluatorConfig(min_observations=3), clock=clock)
    statuses = []
    for offset in (10, 12, 3):
        await commit(harness, group, topic, offset)
        statuses.append(await judge(collector, evaluator, group, clock, step=1))
    assert statuses[-1].status is Status.REWIND
    assert statuses[-1].partitions[0].detail == "committed offset went back from 12 to 3"


async def test_several_groups_on_one_partition(
    harness: KafkaConnection,
    new_topic: TopicFactory,
    unique: str,
    watcher: tuple[LagCollector, Clock],
) -> None:
    """Groups at different offsets of one partition, in one refresh: nearby offsets share a
    fetch, a far one (beyond the 64 KiB a fetch brings) needs a second round."""
    collector, _clock = watcher
    topic = await new_topic("lag", partitions=3)
    first_ms = (int(time.time()) - 600) * 1000
    await produce(harness, topic, 300, first_timestamp_ms=first_ms, size=1024)
    offsets = {f"lag-many-{unique}-{i}": offset for i, offset in enumerate((0, 3, 250))}
    for group, offset in offsets.items():
        await commit(harness, group, topic, offset)
    snapshot = await collector.collect([*offsets, f"lag-none-{unique}"])
    assert snapshot.groups[-1] == f"lag-none-{unique}"
    assert [(o.group, o.committed, o.lag) for o in snapshot.observations] == [
        (group, offset, 300 - offset) for group, offset in offsets.items()
    ]
    for o in snapshot.observations:  # record i was written at first_ms + i seconds
        assert o.committed is not None
        assert o.oldest_unconsumed_at == datetime.fromtimestamp(first_ms / 1000 + o.committed, UTC)
    assert (collector.stats.timestamps_fetched, collector.stats.fetch_rounds) == (3, 2)
    assert f"lag-many-{unique}-0" in await collector.list_groups()


async def test_an_unreachable_broker_names_the_address() -> None:
    with pytest.raises(BrokerError, match=r"127\.0\.0\.1:1\b.*gateway kafka up"):
        async with LagCollector(KafkaConnection(("127.0.0.1:1",))):
            pass


def test_cli_json_reports_the_group(kafka_broker: Broker, unique: str) -> None:
    topic, group = f"lag-cli.{unique}", f"lag-cli-{unique}"
    harness = kafka_broker.superuser

    async def setup() -> None:
        admin = harness.admin()
        await start_client(harness, admin)
        try:
            await admin.create_topics([NewTopic(topic, 1, 1)])
        finally:
            await admin.close()
        await produce(harness, topic, 6)
        await commit(harness, group, topic, 2)

    async def teardown() -> None:
        admin = harness.admin()
        await start_client(harness, admin)
        try:
            await admin.delete_topics([topic])
        finally:
            await admin.close()

    asyncio.run(setup())
    try:
        result = CliRunner().invoke(
            cli,
            ["lag", "--group", group, "--json", "--samples", "2", "--interval", "0.1"],
            env={**kafka_broker.env(), "GATEWAY_LOG_FORMAT": "json"},
        )
    finally:
        asyncio.run(teardown())
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (g,) = doc["groups"]
    assert (g["group"], g["status"], g["total_lag"]) == (group, "STOP", 4)
    assert g["partitions"][0]["committed"] == 2
