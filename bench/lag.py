"""Time of one ``gateway lag`` refresh (collector + evaluator) over many groups, on the real
secure broker.

    python -m bench.lag [--groups 50] [--partitions 12] [--refreshes 10] [--bootstrap HOST:PORT]

Sets up one topic of ``--partitions`` partitions with a backlog and ``--groups`` consumer
groups, each committed at its own offsets on every partition (so every partition of every
group lags, and no two groups share an offset: the most fetching the collector can need).
Then one long-lived collector refreshes ``--refreshes`` times in three regimes:

1. cold: the first refresh, every oldest-unconsumed timestamp fetched;
2. steady: nothing committed between refreshes (timestamps come from the collector's cache);
3. moving: every group commits one further on every partition between refreshes, so every
   timestamp must be fetched again (the commits are not timed).

Prints mean / p50 / max milliseconds per refresh and the Kafka requests a refresh makes,
counted per request type on the wire (every request of the admin client and the consumer).

The broker is the benchmarks' secure local broker (mutual TLS, the StandardAuthorizer; see
``bench.broker``), or a given one (``--bootstrap``; ``GATEWAY_KAFKA_TLS_DIR`` names its TLS
identities). The harness (topic, backlog, the groups' commits) acts as the broker's own
identity; the collector runs as ``operator``, the identity of ``gateway lag``, with the
operator's ACLs of the plan (DESCRIBE every topic and group) and, for this run only, READ on
the bench topic: the plan lets an operator read no message topic, and its collector would
then skip the timestamps this benchmark is about (the worker's own lag monitor reads them on
the topics it may read).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections import Counter

from aiokafka import TopicPartition
from aiokafka.admin import NewTopic
from aiokafka.conn import AIOKafkaConnection

from bench.broker import bench_brokers, granted
from gateway.acl import Acl, Operation, Pattern, Resource
from gateway.acl.plan import operator_acls
from gateway.kafka import OPERATOR, KafkaConnection, start_client
from gateway.lag import EvaluatorConfig, LagCollector, LagEvaluator
from gateway.logs import configure_logging
from tests.conftest import Broker

REQUESTS: Counter[str] = Counter()
_send = AIOKafkaConnection.send


def _counting_send(self: AIOKafkaConnection, request: object, expect_response: bool = True):
    REQUESTS[type(request).__name__.split("_")[0]] += 1
    return _send(self, request, expect_response)


AIOKafkaConnection.send = _counting_send  # type: ignore[method-assign]


async def _setup(
    harness: KafkaConnection,
    topic: str,
    groups: list[str],
    partitions: int,
    *,
    backlog: int,
    stride: int,
) -> None:
    admin = harness.admin()
    await start_client(harness, admin)
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    producer = harness.producer(acks="all", linger_ms=5)
    await start_client(harness, producer)
    try:
        for i in range(backlog * partitions):
            await producer.send(topic, b"x" * 200, partition=i % partitions)
        await producer.flush()
    finally:
        await producer.stop()
    await _commit_all(harness, topic, groups, partitions, step=0, stride=stride)


async def _commit_all(
    harness: KafkaConnection,
    topic: str,
    groups: list[str],
    partitions: int,
    *,
    step: int,
    stride: int,
) -> None:
    """Group i commits ``i * stride + step`` on every partition (one consumer per group): no
    offset of one step was wanted at an earlier one, so nothing comes from the cache."""

    async def one(i: int, group: str) -> None:
        consumer = harness.consumer(group_id=group, enable_auto_commit=False)
        await start_client(harness, consumer)
        try:
            tps = [TopicPartition(topic, p) for p in range(partitions)]
            consumer.assign(tps)
            await consumer.commit(dict.fromkeys(tps, i * stride + step))
        finally:
            await consumer.stop()

    await asyncio.gather(*(one(i, g) for i, g in enumerate(groups)))


async def _refresh(
    collector: LagCollector, evaluator: LagEvaluator, groups: list[str]
) -> tuple[float, Counter[str]]:
    REQUESTS.clear()
    start = time.perf_counter()
    evaluator.observe(await collector.collect(groups))
    evaluator.statuses()
    elapsed = time.perf_counter() - start
    return elapsed, Counter(REQUESTS)


def _line(name: str, times: list[float], requests: Counter[str], stats: str) -> None:
    ms = [t * 1000 for t in times]
    kinds = ", ".join(f"{k.removesuffix('Request')} {v}" for k, v in sorted(requests.items()))
    print(
        f"{name:<8} mean {statistics.mean(ms):7.1f} ms  p50 {statistics.median(ms):7.1f} ms  "
        f"max {max(ms):7.1f} ms  | {sum(requests.values())} requests/refresh: {kinds}  | {stats}"
    )


def _collector_acls(topic: str) -> list[Acl]:
    """The operator's ACLs of the plan, and READ on the bench topic for this run."""
    read = Acl(OPERATOR, Resource.TOPIC, topic, Pattern.LITERAL, Operation.READ)
    return [*operator_acls(), read]


async def run(broker: Broker, n_groups: int, partitions: int, refreshes: int) -> None:
    token = uuid.uuid4().hex[:8]
    topic = f"bench.lag.{token}"
    groups = [f"bench-lag-{token}-{i:03d}" for i in range(n_groups)]
    stride = refreshes + 1
    backlog = n_groups * stride + 10
    harness, collector_connection = broker.superuser, broker.connection(OPERATOR)
    await _setup(harness, topic, groups, partitions, backlog=backlog, stride=stride)
    print(
        f"{n_groups} groups x {partitions} partitions = {n_groups * partitions} lagging "
        f"group-partitions ({backlog} messages per partition); collector: "
        f"{collector_connection.describe()}"
    )
    evaluator = LagEvaluator(EvaluatorConfig())
    try:
        async with (
            granted(harness, _collector_acls(topic)),
            LagCollector(collector_connection) as collector,
        ):

            def stats() -> str:
                s = collector.stats
                return f"{s.timestamps_fetched} timestamps fetched in {s.fetch_rounds} rounds"

            cold, cold_requests = await _refresh(collector, evaluator, groups)
            _line("cold", [cold], cold_requests, stats())
            steady = [await _refresh(collector, evaluator, groups) for _ in range(refreshes)]
            _line("steady", [t for t, _ in steady], steady[-1][1], stats())
            moving = []
            for step in range(1, refreshes + 1):
                await _commit_all(harness, topic, groups, partitions, step=step, stride=stride)
                moving.append(await _refresh(collector, evaluator, groups))
            _line("moving", [t for t, _ in moving], moving[-1][1], stats())
            statuses = {g.status.value for g in evaluator.statuses()}
            print(f"group statuses after the run: {sorted(statuses)}")
    finally:
        admin = harness.admin()
        await start_client(harness, admin)
        try:
            await admin.delete_topics([topic])
        finally:
            await admin.close()


async def main_async(args: argparse.Namespace) -> None:
    (bench,) = await bench_brokers(given=args.bootstrap)
    try:
        await run(bench.broker, args.groups, args.partitions, args.refreshes)
    finally:
        if not args.keep_broker:
            bench.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--refreshes", type=int, default=10)
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="a secure broker instead of the benchmarks' local one (GATEWAY_KAFKA_TLS_DIR: "
        "its TLS identities)",
    )
    parser.add_argument(
        "--keep-broker", action="store_true", help="leave the broker up if this run started it"
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
