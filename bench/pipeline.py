"""Pipeline throughput and latency on the real broker, three ways in one run.

    python -m bench.pipeline [--messages 4000]

1. raw aiokafka: consume -> produce pass-through (getmany, acks=all, commit after flush);
2. a bare Faust pass-through agent (``bench.faust_passthrough``);
3. the full gateway (``gateway worker``): decode, verify, item-14 checks, authorisation,
   duplicates, deadline, routing to the inbox and two adapters, a signed receipt, three events.

Each reads the same backlog of signed requests from an outbox; the rate is the number of
messages over the time between the first and the last routed record seen by a consumer of
the output topic. For the gateway a second rate also waits for its tracker (the same worker)
to commit every event of the backlog: the rate it sustains. Then the gateway gets a paced
stream at 50 % of that sustained rate, and the intake-to-routed latency (intake time ->
forwarded record read from the recipient's inbox) is reported as p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.broker import bench_bootstrap
from gateway.topics.names import EVENTS, inbox_topic, outbox_topic
from tests.integration.exchange import Exchange, make_exchange

ROOT = Path(__file__).resolve().parents[1]


async def _produce(bootstrap: str, topic: str, items: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for key, value in items:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def _arrivals(bootstrap: str, topic: str, count: int, timeout: float = 600) -> list[float]:
    """Wall-clock arrival times of the first ``count`` records of ``topic``."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=5
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # a topic made moments ago
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen: list[float] = []
        end = time.monotonic() + timeout
        while len(seen) < count and time.monotonic() < end:
            batch = await consumer.getmany(timeout_ms=500)
            now = time.monotonic()
            seen.extend(now for recs in batch.values() for _ in recs)
        if len(seen) < count:
            raise RuntimeError(f"only {len(seen)} of {count} records reached {topic}")
        return seen[:count]
    finally:
        await consumer.stop()


def _rate(arrivals: list[float]) -> float:
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


async def _raw_passthrough(bootstrap: str, source: str, sink: str, count: int) -> None:
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        done = 0
        while done < count:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            futures = [
                await producer.send(sink, r.value, key=r.key)
                for recs in batch.values()
                for r in recs
            ]
            await asyncio.gather(*futures)
            await consumer.commit()
            done += len(futures)
    finally:
        await consumer.stop()
        await producer.stop()


async def _wait_caught_up(bootstrap: str, group: str, topic: str, poll: float = 0.5) -> None:
    """Wait until consumer group ``group`` has committed the end of every partition of ``topic``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # this consumer subscribes to nothing
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not tps:
            raise RuntimeError(f"topic {topic} has no partitions; apply topics.yaml first")
        while True:
            ends = await consumer.end_offsets(tps)
            committed = await admin.list_consumer_group_offsets(group)
            done = {tp: committed[tp].offset if tp in committed else 0 for tp in tps}
            if all(done[tp] >= ends[tp] for tp in tps):  # an empty partition needs no commit
                return
            await asyncio.sleep(poll)  # polling the group's committed offsets
    finally:
        await consumer.stop()
        await admin.close()


async def _topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, 3, 1) for n in names])
    finally:
        await admin.close()


async def _while_alive(
    proc: subprocess.Popen[bytes], work: Awaitable[list[float]], log: Path
) -> list[float]:
    """Await ``work``, but fail at once (not after its timeout) if ``proc`` exits meanwhile."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if proc.poll() is not None:
            task.cancel()
            raise RuntimeError(f"the pass-through process exited with {proc.returncode}; see {log}")
        await asyncio.wait([task], timeout=1.0)  # wake for the result, or to look at the process
    return task.result()


def _start_passthrough(src: str, dst: str, bootstrap: str, log: Path) -> subprocess.Popen[bytes]:
    """The bare Faust agent in its own process, like the gateway's worker; output to ``log``."""
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.faust_passthrough",
                src,
                dst,
                f"bench-{uuid.uuid4().hex[:8]}",
                bootstrap,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def run(bootstrap: str, messages: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    ex: Exchange = await make_exchange(root, bootstrap, uuid.uuid4().hex[:8])
    async with ex.client(ex.R) as r:
        sealed = [r.seal("Request", ex.request()) for _ in range(messages)]
    items = [(full["case_id"].encode(), value) for full, value in sealed]
    size = sum(len(v) for _, v in items) / len(items)
    print(f"{messages} signed requests of {size:.0f} bytes (ecdsa-p256-sha256)")

    # 1. raw aiokafka
    src, dst = f"bench.raw.in.{uuid.uuid4().hex[:8]}", f"bench.raw.out.{uuid.uuid4().hex[:8]}"
    await _topics(bootstrap, src, dst)
    await _produce(bootstrap, src, items)
    arrivals = asyncio.create_task(_arrivals(bootstrap, dst, messages))
    await _raw_passthrough(bootstrap, src, dst, messages)
    raw = _rate(await arrivals)

    # 2. faust pass-through
    src, dst = f"bench.faust.in.{uuid.uuid4().hex[:8]}", f"bench.faust.out.{uuid.uuid4().hex[:8]}"
    await _topics(bootstrap, src, dst)
    await _produce(bootstrap, src, items)
    log = root / "faust-passthrough.log"
    proc = _start_passthrough(src, dst, bootstrap, log)
    try:
        passthrough = _rate(await _while_alive(proc, _arrivals(bootstrap, dst, messages), log))
    finally:
        proc.terminate()
        proc.wait(30)

    # 3. the gateway; its tracker first replays the shared events topic, so wait for that
    ex.start_worker(GATEWAY_LOG_LEVEL="warning", GATEWAY_OVERDUE_CHECK_S="30")
    try:
        await _wait_caught_up(bootstrap, ex.worker_id, EVENTS)
        await _produce(bootstrap, outbox_topic(ex.R), items)
        routed = await _arrivals(bootstrap, inbox_topic(ex.H), messages)
        gateway = _rate(routed)
        # While the backlog is routed the tracker falls behind (both agents share the worker);
        # the sustained rate counts until the tracker has committed every event of the backlog.
        await _wait_caught_up(bootstrap, ex.worker_id, EVENTS, poll=0.1)
        sustained = (messages - 1) / (time.monotonic() - routed[0])
        # latency at 50 % of the gateway's sustained rate (at 50 % of the routing rate alone
        # the offered load would exceed what the worker can keep up with, tracking included)
        p50, p99, n = await _latency(
            ex, bootstrap, sustained / 2, min(messages, int(sustained * 10))
        )
    finally:
        ex.stop_workers()

    print(f"{'raw aiokafka pass-through':<28} {raw:>8,.0f} msg/s")
    print(f"{'faust pass-through agent':<28} {passthrough:>8,.0f} msg/s")
    print(
        f"{'gateway pipeline, routing':<28} {gateway:>8,.0f} msg/s  = {gateway / passthrough:.0%}"
        " of faust"
    )
    print(
        f"{'gateway, tracking included':<28} {sustained:>8,.0f} msg/s  = "
        f"{sustained / passthrough:.0%} of faust (until the tracker committed the backlog's "
        "events; commits every 1 s)"
    )
    print(
        f"gateway latency intake -> routed at {sustained / 2:,.0f} msg/s ({n} messages): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )


async def _latency(
    ex: Exchange, bootstrap: str, rate: float, count: int
) -> tuple[float, float, int]:
    """Send ``count`` fresh requests at ``rate``; time outbox append -> read from the inbox."""
    async with ex.client(ex.R) as r:
        sealed = [r.seal("Request", ex.request()) for _ in range(count)]
    wanted = {full["message_id"] for full, _ in sealed}
    consumer = AIOKafkaConsumer(
        inbox_topic(ex.H),
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="latest",
        group_id=f"bench-lat-{uuid.uuid4().hex[:8]}",
        fetch_max_wait_ms=5,
    )
    await consumer.start()
    await consumer.getmany(timeout_ms=1000)  # join and position at the end before sending
    latencies: list[float] = []

    async def collect() -> None:
        while len(latencies) < count:
            batch = await consumer.getmany(timeout_ms=500)
            now_ms = time.time() * 1000
            for recs in batch.values():
                for rec in recs:
                    headers = dict(rec.headers or ())
                    mid = headers.get("message_id", b"").decode()
                    if mid in wanted:
                        wanted.discard(mid)
                        intake = _iso_ms(headers.get("gateway.received_at", b""))
                        latencies.append(now_ms - intake)

    collector = asyncio.create_task(collect())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1)
    await producer.start()
    interval, start = 1 / rate, time.monotonic()
    for i, (full, value) in enumerate(sealed):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the offered load
        await producer.send(outbox_topic(ex.R), value, key=full["case_id"].encode())
    await producer.flush()
    await producer.stop()
    await asyncio.wait_for(collector, 300)
    await consumer.stop()
    q = statistics.quantiles(latencies, n=100)
    return q[49], q[98], len(latencies)


def _iso_ms(value: bytes) -> float:
    return datetime.fromisoformat(value.decode()).timestamp() * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--bootstrap", default=None, help="default: the project's local broker")
    args = parser.parse_args()
    bootstrap = bench_bootstrap(args.bootstrap)
    asyncio.run(run(bootstrap, args.messages))


if __name__ == "__main__":
    main()
