"""Pipeline throughput and latency on the real broker, secure and PLAINTEXT, in one run.

    python -m bench.pipeline [--messages 4000] [--rounds 1] [--bootstrap HOST:PORT]
                             [--no-plaintext] [--keep-brokers]

On each broker (the secure one first: mutual TLS and the StandardAuthorizer; then a
PLAINTEXT one without authentication or authorizer, so the cost of security is known):

1. raw aiokafka: consume -> produce pass-through (getmany, acks=all, commit after flush);
2. a bare Faust pass-through agent (``bench.faust_passthrough``);
3. the full gateway (``gateway worker``): decode, verify, item-14 checks, authorisation,
   duplicates, deadline, routing to the inbox and two adapters, a signed receipt, three events.

Each reads the same backlog of signed requests from an outbox; the rate is the number of
messages over the time between the first and the last routed record seen by a consumer of
the output topic. For the gateway a second rate also waits for its tracker (the same worker)
to commit every event of the backlog: the rate it sustains. Then the gateway gets a paced
stream, and the intake-to-routed latency (intake time -> forwarded record read from the
recipient's inbox) is reported as p50/p99. The paced rate is 50 % of the sustained rate on
the first (secure) broker, and the same rate on the PLAINTEXT one, so that both latencies
are taken at the same offered load; a run whose own sustained rate fell below twice that
(a busy machine) is paced at half its own instead, or it would measure a growing queue.
``--rounds N`` measures both brokers N times in turns (every other round the PLAINTEXT one
first) and prints the medians, with the median of the rounds' own secure/PLAINTEXT ratios:
on a busy machine one round's ratio is noisy.

Who connects as whom (every client is built from a :class:`gateway.kafka.KafkaConnection`):
the harness (creating topics, reading arrivals and committed offsets) acts as the broker's
own identity, the super user; the load of each outbox is written by its body (body R's
certificate, as a body does); the gateway's worker runs as ``gateway-worker`` with the ACLs
of the exchange's plan (``make_exchange`` applies it); both baselines (raw aiokafka and
Faust) run as ``bench-passthrough`` with ACLs for exactly their topics and groups, granted
for the run and removed after it, so they pay the authorizer's look-ups as the worker does
(a super user skips them).

Local brokers: ``.gateway/bench/secure`` (9192, SASL 9194, controller 9193) and
``.gateway/bench/plaintext`` (9292, controller 9293), started when down and stopped at the
end if this run started them (``--keep-brokers`` leaves them up for the next run).
``--bootstrap`` measures a given secure broker instead of the local secure one, reached with
``GATEWAY_KAFKA_SECURITY_PROTOCOL`` (default SSL) and the TLS identities under
``GATEWAY_KAFKA_TLS_DIR`` (its CA key issues the bench's identities; the broker's own
certificate is the harness's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import NewTopic

from bench.broker import BenchBroker, bench_brokers, connection_env, granted
from bench.faust_passthrough import IDENTITY as BASELINE
from gateway.acl import Acl, Operation, Pattern, Resource, delete_acls, describe_acls
from gateway.kafka import KafkaConnection, start_client
from gateway.logs import configure_logging
from gateway.topics.names import EVENTS, inbox_topic, outbox_topic
from tests.integration.exchange import Exchange, make_exchange

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
Items = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Figures:
    """What one broker's run measured."""

    broker: str
    raw: float
    passthrough: float
    gateway: float
    sustained: float
    latency_rate: float
    p50: float
    p99: float
    latency_n: int


def _hex() -> str:
    return uuid.uuid4().hex[:8]


async def _produce(connection: KafkaConnection, topic: str, items: Items) -> None:
    producer = connection.producer(acks="all", linger_ms=5)
    await start_client(connection, producer)
    try:
        for key, value in items:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic`` (made moments ago, perhaps) as the consumer sees them."""
    await consumer._client.force_metadata_update()  # this consumer subscribes to nothing
    found = consumer.partitions_for_topic(topic) or ()
    if not found:
        raise RuntimeError(f"topic {topic} has no partitions (not created, or not allowed)")
    return [TopicPartition(topic, p) for p in sorted(found)]


async def _arrivals(
    connection: KafkaConnection,
    topic: str,
    count: int,
    timeout: float = 600,
    ready: asyncio.Event | None = None,
) -> list[float]:
    """Wall-clock arrival times of the first ``count`` records of ``topic``; ``ready`` is set
    once the consumer is connected and positioned at the beginning (start the work after
    it, or the first arrivals are seen late, all at once)."""
    consumer = connection.consumer(enable_auto_commit=False, fetch_max_wait_ms=5)
    await start_client(connection, consumer)
    try:
        tps = await _partitions(consumer, topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolves the beginning offsets now
        if ready is not None:
            ready.set()
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


async def _watch(connection: KafkaConnection, topic: str, count: int) -> asyncio.Task[list[float]]:
    """:func:`_arrivals` in a task, returned once its consumer is positioned."""
    ready = asyncio.Event()
    task = asyncio.create_task(_arrivals(connection, topic, count, ready=ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task.done():  # it failed before it was ready
        task.result()
    return task


def _rate(arrivals: list[float]) -> float:
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def _baseline_acls(source: str, sink: str, group: str, own_prefix: str | None = None) -> list[Acl]:
    """What a pass-through baseline needs: READ its source and group, WRITE its sink (and
    ALL on its own internal topics: Faust's ``<app id>-__assignor-__leader``)."""

    def acl(resource: Resource, name: str, op: Operation, pattern: Pattern) -> Acl:
        return Acl(BASELINE, resource, name, pattern, op)

    lit = Pattern.LITERAL
    acls = [
        acl(Resource.TOPIC, source, Operation.READ, lit),
        acl(Resource.TOPIC, sink, Operation.WRITE, lit),
        acl(Resource.GROUP, group, Operation.READ, lit),
    ]
    if own_prefix:
        acls.append(acl(Resource.TOPIC, own_prefix, Operation.ALL, Pattern.PREFIXED))
    return acls


async def _raw_passthrough(
    connection: KafkaConnection, source: str, sink: str, group: str, count: int
) -> None:
    consumer = connection.consumer(
        source, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    producer = connection.producer(acks="all", linger_ms=5)
    await start_client(connection, consumer)
    try:
        await start_client(connection, producer)
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
            await producer.stop()
    finally:
        await consumer.stop()


async def _wait_caught_up(
    connection: KafkaConnection, group: str, topic: str, poll: float = 0.5
) -> None:
    """Wait until consumer group ``group`` has committed the end of every partition of
    ``topic``. The group is another process's: its commits are polled, there is no event."""
    admin = connection.admin()
    consumer = connection.consumer()
    await start_client(connection, admin)
    try:
        await start_client(connection, consumer)
        try:
            tps = await _partitions(consumer, topic)
            while True:
                ends = await consumer.end_offsets(tps)
                committed = await admin.list_consumer_group_offsets(group)
                done = {tp: committed[tp].offset if tp in committed else 0 for tp in tps}
                if all(done[tp] >= ends[tp] for tp in tps):  # empty partitions need no commit
                    return
                await asyncio.sleep(poll)  # polling the other process's committed offsets
        finally:
            await consumer.stop()
    finally:
        await admin.close()


async def _topics(connection: KafkaConnection, *names: str) -> None:
    admin = connection.admin()
    await start_client(connection, admin)
    try:
        await admin.create_topics([NewTopic(n, 3, 1) for n in names])
    finally:
        await admin.close()


async def _delete_topics(connection: KafkaConnection, match: Sequence[str]) -> None:
    """Delete the topics whose names contain one of ``match`` (this run's own)."""
    admin = connection.admin()
    await start_client(connection, admin)
    try:
        names = [t for t in await admin.list_topics() if any(m in t for m in match)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def _forget(connection: KafkaConnection, tokens: Sequence[str]) -> None:
    """Delete this run's own topics and ACLs (those naming one of ``tokens``: its bodies,
    adapter instances and worker id); the shared ones of the plan stay."""
    await _delete_topics(connection, tokens)
    if not connection.secure:
        return
    admin = connection.admin()
    await start_client(connection, admin)
    try:
        ours = [
            acl
            for acl in await describe_acls(admin)
            if any(t in acl.principal or t in acl.name for t in tokens)
        ]
        await delete_acls(admin, ours)
    finally:
        await admin.close()


async def _while_alive(proc: asyncio.subprocess.Process, work: Awaitable[T], log: Path) -> T:
    """Await ``work``, but fail at once (not after its timeout) if ``proc`` exits meanwhile."""
    task = asyncio.ensure_future(work)
    exited = asyncio.ensure_future(proc.wait())
    try:
        await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            raise RuntimeError(f"the pass-through process exited with {proc.returncode}; see {log}")
        return task.result()
    finally:
        for pending in (task, exited):
            pending.cancel()


async def _start_passthrough(
    src: str, dst: str, app_id: str, connection: KafkaConnection, log: Path
) -> asyncio.subprocess.Process:
    """The bare Faust agent in its own process, like the gateway's worker; its connection
    through the ``GATEWAY_KAFKA_*`` environment; output to ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_KAFKA_")}
    env.update(connection_env(connection))
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.faust_passthrough",
            src,
            dst,
            app_id,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def _raw_figure(ex: Exchange, baseline: KafkaConnection, items: Items) -> float:
    harness, token = ex.kafka, _hex()
    src, dst, group = f"bench.raw.in.{token}", f"bench.raw.out.{token}", f"bench-raw-{token}"
    await _topics(harness, src, dst)
    try:
        async with granted(harness, _baseline_acls(src, dst, group)):
            await _produce(harness, src, items)
            arrivals = await _watch(harness, dst, len(items))
            try:
                await _raw_passthrough(baseline, src, dst, group, len(items))
            except BaseException:
                arrivals.cancel()
                raise
            return _rate(await arrivals)
    finally:
        await _delete_topics(harness, [token])


async def _faust_figure(ex: Exchange, baseline: KafkaConnection, items: Items, log: Path) -> float:
    harness, token = ex.kafka, _hex()
    src, dst, app_id = f"bench.faust.in.{token}", f"bench.faust.out.{token}", f"bench-{token}"
    await _topics(harness, src, dst)
    try:
        async with granted(harness, _baseline_acls(src, dst, app_id, f"{app_id}-")):
            await _produce(harness, src, items)
            arrivals = await _watch(harness, dst, len(items))
            proc = await _start_passthrough(src, dst, app_id, baseline, log)
            try:
                return _rate(await _while_alive(proc, arrivals, log))
            finally:
                await _stop(proc)
    finally:
        await _delete_topics(harness, [token])


async def run(bench: BenchBroker, messages: int, latency_rate: float | None) -> Figures:
    """Every figure on one broker; ``latency_rate`` paces the latency probe (default: half
    the sustained rate measured here)."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-pipeline-{bench.name.lower()}-"))
    ex = await make_exchange(root, bench.broker, _hex())
    harness = ex.kafka
    try:
        async with ex.client(ex.R) as r:
            sealed = [r.seal("Request", ex.request()) for _ in range(messages)]
        items = [(full["case_id"].encode(), value) for full, value in sealed]
        size = sum(len(v) for _, v in items) / len(items)
        print(
            f"[{bench.name}] {bench.broker.superuser.describe()}: {messages} signed requests "
            f"of {size:.0f} bytes (ecdsa-p256-sha256)",
            flush=True,
        )
        baseline = bench.broker.connection(BASELINE)
        raw = await _raw_figure(ex, baseline, items)
        passthrough = await _faust_figure(ex, baseline, items, root / "faust-passthrough.log")

        # the gateway; its tracker first replays the shared events topic, so wait for that
        ex.start_worker(GATEWAY_LOG_LEVEL="warning", GATEWAY_OVERDUE_CHECK_S="30")
        try:
            await _wait_caught_up(harness, ex.worker_id, EVENTS)
            arrivals = await _watch(harness, inbox_topic(ex.H), messages)
            try:
                await _produce(ex.connection(ex.R), outbox_topic(ex.R), items)
            except BaseException:
                arrivals.cancel()
                raise
            routed = await arrivals
            gateway = _rate(routed)
            # While the backlog is routed the tracker falls behind (both agents share the
            # worker); the sustained rate counts until the tracker has committed every event.
            await _wait_caught_up(harness, ex.worker_id, EVENTS, poll=0.1)
            sustained = (messages - 1) / (time.monotonic() - routed[0])
            # at 50 % of the sustained rate (at 50 % of the routing rate alone the offered
            # load would exceed what the worker keeps up with, tracking included)
            # the first run's rate on every broker, unless it would overload this one now
            rate = min(latency_rate, sustained / 2) if latency_rate else sustained / 2
            p50, p99, n = await _latency(ex, rate, min(messages, int(rate * 20)))
        finally:
            ex.stop_workers()
    except BaseException:
        print(f"[{bench.name}] failed; the worker's and the pass-through's logs are in {root}")
        raise
    with contextlib.suppress(Exception):  # leftovers only cost disk on a bench broker
        await _forget(harness, [*ex.bodies, *ex.adapters.values(), ex.worker_id])
    shutil.rmtree(root, ignore_errors=True)
    return Figures(bench.name, raw, passthrough, gateway, sustained, rate, p50, p99, n)


async def _latency(ex: Exchange, rate: float, count: int) -> tuple[float, float, int]:
    """Send ``count`` fresh requests at ``rate``; time intake -> read from the inbox."""
    async with ex.client(ex.R) as r:
        sealed = [r.seal("Request", ex.request()) for _ in range(count)]
    wanted = {full["message_id"] for full, _ in sealed}
    harness = ex.kafka
    consumer = harness.consumer(enable_auto_commit=False, fetch_max_wait_ms=5)
    await start_client(harness, consumer)
    latencies: list[float] = []
    try:
        tps = await _partitions(consumer, inbox_topic(ex.H))
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolves the end offsets: positioned before sending

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
        body = ex.connection(ex.R)
        producer = body.producer(acks="all", linger_ms=1)
        await start_client(body, producer)
        try:
            interval, start = 1 / rate, time.monotonic()
            for i, (full, value) in enumerate(sealed):
                delay = start + i * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing the offered load
                await producer.send(outbox_topic(ex.R), value, key=full["case_id"].encode())
            await producer.flush()
        finally:
            await producer.stop()
        try:
            await asyncio.wait_for(collector, 300)
        except TimeoutError:
            raise RuntimeError(
                f"only {len(latencies)} of {count} paced requests reached the inbox in 300 s"
            ) from None
    finally:
        await consumer.stop()
    q = statistics.quantiles(latencies, n=100)
    return q[49], q[98], len(latencies)


def _iso_ms(value: bytes) -> float:
    return datetime.fromisoformat(value.decode()).timestamp() * 1000


def report(f: Figures) -> None:
    """One broker's figures, as the benchmark has always printed them."""
    print(f"[{f.broker}] {'raw aiokafka pass-through':<28} {f.raw:>8,.0f} msg/s")
    print(f"[{f.broker}] {'faust pass-through agent':<28} {f.passthrough:>8,.0f} msg/s")
    print(
        f"[{f.broker}] {'gateway pipeline, routing':<28} {f.gateway:>8,.0f} msg/s  = "
        f"{f.gateway / f.passthrough:.0%} of faust"
    )
    print(
        f"[{f.broker}] {'gateway, tracking included':<28} {f.sustained:>8,.0f} msg/s  = "
        f"{f.sustained / f.passthrough:.0%} of faust (until the tracker committed the "
        "backlog's events; commits every 1 s)"
    )
    print(
        f"[{f.broker}] gateway latency intake -> routed at {f.latency_rate:,.0f} msg/s "
        f"({f.latency_n} messages): p50 {f.p50:.1f} ms, p99 {f.p99:.1f} ms",
        flush=True,
    )


_METRICS = (
    ("raw", "raw aiokafka pass-through, msg/s"),
    ("passthrough", "faust pass-through agent, msg/s"),
    ("gateway", "gateway routing, msg/s"),
    ("sustained", "gateway tracking included, msg/s"),
    ("p50", "latency p50, ms"),
    ("p99", "latency p99, ms"),
    ("latency_rate", "latency paced at, msg/s"),
)


def compare(secure: Sequence[Figures], plain: Sequence[Figures]) -> None:
    """Both brokers side by side: the median of each figure over the rounds, and the median
    of the rounds' own ratios secure / PLAINTEXT (a round measures both brokers back to back,
    so its ratio is fairer than the ratio of medians on a noisy machine)."""
    rounds = len(secure)
    print()
    what = f"median of {rounds} rounds" if rounds > 1 else "one round"
    print(f"{what:<36}{secure[0].broker:>10}{plain[0].broker:>11}{'ratio':>8}")
    for attr, label in _METRICS:
        a = [getattr(f, attr) for f in secure]
        b = [getattr(f, attr) for f in plain]
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        digits = 1 if attr in ("p50", "p99") else 0
        print(
            f"{label:<36}{statistics.median(a):>10,.{digits}f}"
            f"{statistics.median(b):>11,.{digits}f}{ratio:>8.2f}"
        )
    print(
        "ratio = secure / PLAINTEXT: below 1 for a rate, above 1 for a latency is what mutual "
        "TLS and the authorizer cost"
    )


async def main_async(args: argparse.Namespace) -> None:
    brokers = await bench_brokers(plaintext=not args.no_plaintext, given=args.bootstrap)
    try:
        found: dict[str, list[Figures]] = {bench.name: [] for bench in brokers}
        rate: float | None = None
        for round_ in range(args.rounds):
            # every other round the other broker first, so a drifting load hits both alike
            for bench in brokers if round_ % 2 == 0 else brokers[::-1]:
                figures = await run(bench, args.messages, rate)
                rate = rate or figures.latency_rate  # the first (secure) run's, for all
                found[bench.name].append(figures)
                report(figures)
        if len(found) == 2:
            compare(*found.values())
    finally:
        for bench in brokers:
            if not args.keep_brokers:
                bench.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="a secure broker to measure instead of the local one (GATEWAY_KAFKA_TLS_DIR: "
        "its TLS identities; GATEWAY_KAFKA_SECURITY_PROTOCOL, default SSL)",
    )
    parser.add_argument(
        "--no-plaintext", action="store_true", help="skip the PLAINTEXT broker's comparison"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure both brokers this many times, in turns (medians are printed)",
    )
    parser.add_argument(
        "--keep-brokers", action="store_true", help="leave the brokers this run started up"
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
