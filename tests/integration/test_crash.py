"""Crash test: SIGKILL the worker at random moments while 2,000 requests flow.

Afterwards every request must be in its recipient's inbox at least once on the topic and
exactly once after deduplication on the message id, and none may be missing: offsets are
committed only after the outputs are acknowledged, so a killed worker's batch is replayed.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord

from gateway.envelope import headers_dict
from gateway.kafka import start_client
from gateway.topics.names import REJECTED, inbox_topic, outbox_topic
from tests.conftest import Broker
from tests.integration.exchange import make_exchange, read_until, sample, scrape

pytestmark = pytest.mark.integration

REQUESTS = 2000
KILLS = 3
ROUTED = sample("gateway_messages_routed_total", destination="inbox")


async def _until_routing(port: int, timeout: float = 90.0) -> None:
    """Wait until the worker on ``port`` has routed a request to an inbox (its metrics)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (await asyncio.to_thread(scrape, port)).get(ROUTED, 0) < 1:
        assert loop.time() < end, f"the worker on {port} routed nothing in {timeout:.0f} s"
        await asyncio.sleep(0.1)  # polling a metrics page: there is no event to await


async def test_no_request_is_lost_or_routed_twice_after_sigkills(
    tmp_path: Path, kafka_broker: Broker, unique: str
) -> None:
    ex = await make_exchange(tmp_path, kafka_broker, unique)
    rng = random.Random()
    try:
        ex.start_worker()
        async with ex.client(ex.R) as r:
            sealed = [r.seal("Request", ex.request()) for _ in range(REQUESTS)]
        expected = {full["message_id"] for full, _ in sealed}

        body = ex.connection(ex.R)  # the body writes its own outbox, with its own identity
        producer = body.producer(acks="all", enable_idempotence=True, linger_ms=5)
        await start_client(body, producer)
        sending_done = asyncio.Event()

        async def send_all() -> None:
            try:
                for i, (full, value) in enumerate(sealed):
                    await producer.send(outbox_topic(ex.R), value, key=full["case_id"].encode())
                    if i % 50 == 49:
                        await producer.flush()
                        await asyncio.sleep(0.75)  # pacing: ~65 a second, for ~30 s
                await producer.flush()
            finally:
                sending_done.set()

        sender = asyncio.create_task(send_all())
        kills = 0
        while kills < KILLS:
            # kill while requests flow: only once this worker has routed some of them
            await _until_routing(ex.workers[-1].port)
            await asyncio.sleep(rng.uniform(0.0, 1.5))  # the random moment of the crash
            ex.workers[-1].kill()
            kills += 1
            await asyncio.to_thread(ex.start_worker)
        await sender
        await producer.stop()
        assert sending_done.is_set()

        holder_inbox = inbox_topic(ex.H)

        def ids(records: list[ConsumerRecord[bytes, bytes]]) -> list[str]:
            return [
                mid
                for rec in records
                if (mid := headers_dict(rec.headers).get("message_id")) in expected
            ]

        records = await read_until(
            ex.kafka, holder_inbox, lambda rs: set(ids(rs)) >= expected, timeout=240
        )
        routed = ids(records)
        distinct = set(routed)
        rejected = [
            rec
            for rec in await read_until(ex.kafka, REJECTED, lambda _: False, timeout=2)
            if headers_dict(rec.headers).get("__connect.errors.topic") == outbox_topic(ex.R)
        ]
        print(
            f"\ncrash test: sent {REQUESTS}, SIGKILLs {kills}, on the inbox topic {len(routed)} "
            f"({len(routed) - len(distinct)} redelivered), after dedupe {len(distinct)}, "
            f"missing {len(expected - distinct)}, rejected {len(rejected)}"
        )
        assert kills >= KILLS
        assert distinct == expected  # none missing, and exactly once after dedupe
        assert len(routed) >= REQUESTS  # at least once on the topic
        assert not rejected
    finally:
        ex.stop_workers()
