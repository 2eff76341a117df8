"""Inboxes on the real broker: only what the gateway delivered is accepted, and rejections
reach the body that signed the message, readable by its client (issue 13, items 6 and 7)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from gateway.client import AgencyClient, InboxItem
from gateway.envelope import MAX_ENVELOPE_BYTES, headers_dict, routing_headers
from gateway.kafka import start_client
from gateway.reasons import Reason
from gateway.schemas.samples import sample_attachment
from gateway.topics.names import inbox_topic, outbox_topic
from tests.conftest import Broker
from tests.integration.exchange import (
    Exchange,
    WorkerProcess,
    first,
    make_exchange,
    produce_raw,
    read_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def exchange(
    tmp_path_factory: pytest.TempPathFactory, kafka_broker: Broker
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("sealed")
    ex = await make_exchange(root, kafka_broker, root.name.replace("_", "-"))
    yield ex
    ex.stop_workers()


@pytest.fixture(scope="module")
def worker(exchange: Exchange) -> WorkerProcess:
    return exchange.start_worker()


async def collect(
    client: AgencyClient, done: Callable[[list[InboxItem]], bool], timeout: float = 60
) -> list[InboxItem]:
    """Inbox items in the order read, until ``done(items)``; fails after ``timeout`` s."""

    async def scan() -> list[InboxItem]:
        items: list[InboxItem] = []
        async with contextlib.aclosing(client.inbox(follow=True, idle_ms=500)) as found:
            async for item in found:
                items.append(item)
                if done(items):
                    return items
        raise AssertionError("the inbox ended")

    return await asyncio.wait_for(scan(), timeout)


def refused(items: list[InboxItem]) -> list[InboxItem]:
    return [i for i in items if i.message is None]


def accepted(items: list[InboxItem]) -> list[str]:
    return [i.message.record["message_id"] for i in items if i.message is not None]


def with_id(records: list[ConsumerRecord[bytes, bytes]], message_id: str) -> list[Any]:
    return [r for r in records if headers_dict(r.headers).get("message_id") == message_id]


async def test_a_record_planted_in_an_inbox_is_refused_and_deliveries_accepted(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    async with ex.client(ex.R) as r:
        sent = await r.send("Request", ex.request())  # through the gateway
        planted, value = r.seal("Request", ex.request())  # genuinely signed, never sent
    async with ex.client(ex.H) as h:  # a subscribed consumer: no stale topic metadata
        await collect(h, lambda items: sent.message_id in accepted(items), timeout=120)
    found = await read_until(
        ex.kafka, inbox_topic(ex.H), lambda rs: bool(with_id(rs, sent.message_id))
    )
    delivered = with_id(found, sent.message_id)[0]  # the raw record, seal header included
    # someone with write access to H's inbox (here the harness, as a wrong ACL would let
    # anyone) plants R's signed request there
    await produce_raw(
        ex.kafka,
        inbox_topic(ex.H),
        value,
        key=planted["case_id"].encode(),
        headers=routing_headers("Request", planted),
    )
    # and copies the genuine delivery, seal and all, into X's inbox
    await produce_raw(
        ex.kafka,
        inbox_topic(ex.X),
        delivered.value,
        key=delivered.key,
        headers=delivered.headers,
    )

    async with ex.client(ex.H) as h:
        items = await collect(
            h, lambda items: sent.message_id in accepted(items) and bool(refused(items))
        )
    assert accepted(items).count(sent.message_id) == 1
    assert planted["message_id"] not in accepted(items)
    assert [i.error.reason for i in refused(items) if i.error] == [Reason.NOT_DELIVERED_BY_GATEWAY]
    assert "no gateway.seal header" in str(refused(items)[0].error)

    async with ex.client(ex.X) as x:
        copied = refused(await collect(x, lambda items: bool(refused(items))))
    assert sent.message_id not in accepted(copied)
    assert copied[0].error is not None
    assert copied[0].error.reason == Reason.NOT_DELIVERED_BY_GATEWAY
    assert "does not cover this record" in str(copied[0].error)


async def test_a_rejection_of_a_message_in_another_outbox_reaches_only_its_signer(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    async with ex.client(ex.R) as r:
        full, value = r.seal("Request", ex.request())  # signed by R (the body A)
    case = full["case_id"]
    # X's systems write R's signed bytes to X's own outbox (the only one X may write)
    await produce_raw(ex.connection(ex.X), outbox_topic(ex.X), value, key=case.encode())
    async with ex.client(ex.X) as x:
        # a barrier in the same partition of X's outbox, same key: when its rejection is in
        # X's inbox, whatever the gateway wrote there for the planted message is there too
        barrier = await x.send("Request", ex.request(sender=ex.X, case_id=case))

    async with ex.client(ex.R) as r:
        told = await first(
            r,
            lambda i: bool(i.message and i.message.record.get("message_id") == full["message_id"]),
        )
    assert told.message is not None
    assert told.message.kind == "Rejection"
    rejection = told.message.record
    assert rejection["reason"] == "wrong_outbox"
    assert rejection["field_path"] == "sender.code"
    assert rejection["original"] == b""
    assert rejection["original_sha256"] == hashlib.sha256(value).digest()
    assert rejection["source_topic"] == outbox_topic(ex.X)

    async with ex.client(ex.X) as x:  # the barrier's rejection, read as X's client reads it
        await collect(x, lambda items: barrier.message_id in accepted(items))

    def barrier_seen(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        return any(barrier.message_id.encode() in (rec.value or b"") for rec in records)

    x_inbox = await read_until(ex.kafka, inbox_topic(ex.X), barrier_seen)
    assert barrier_seen(x_inbox)
    planted_id = full["message_id"].encode()
    assert not [
        rec
        for rec in x_inbox
        if planted_id in (rec.value or b"") or any(planted_id in v for _, v in rec.headers)
    ]


async def _envelope_of(
    client: AgencyClient, ex: Exchange, size: int
) -> tuple[dict[str, Any], bytes]:
    """A request signed by ``client`` whose envelope is exactly ``size`` bytes."""
    pad = size - 4096
    for _ in range(64):  # an ECDSA signature is 70 to 72 bytes, drawn anew each time
        record = ex.request(application=sample_attachment(b"%PDF" + bytes(pad)))
        full, value = client.seal("Request", record)
        if len(value) == size:
            return full, value
        signature = ex.registry.decode_single(value).record["signature"]
        pad += size - (len(value) - len(signature) + 71)  # aim at the usual 71 bytes
    raise AssertionError(f"could not build a {size}-byte envelope")


async def test_the_rejection_of_a_message_one_byte_over_4_mib_is_read_by_its_sender(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    async with ex.client(ex.R) as r:
        full, value = await _envelope_of(r, ex, MAX_ENVELOPE_BYTES + 1)
        body = ex.connection(ex.R)
        producer = body.producer(acks="all", max_request_size=MAX_ENVELOPE_BYTES + 64 * 1024)
        await start_client(body, producer)
        try:
            await producer.send_and_wait(outbox_topic(ex.R), value, key=full["case_id"].encode())
        finally:
            await producer.stop()

        def answer(item: InboxItem) -> bool:
            # the old failure: a Rejection too large to read, refused as message_too_large
            if item.message is None:
                return item.error is not None and item.error.reason == Reason.MESSAGE_TOO_LARGE
            return item.message.record.get("message_id") == full["message_id"]

        told = await first(r, answer)
    assert told.error is None, told.error
    assert told.message is not None
    assert told.message.kind == "Rejection"
    assert told.message.signer.org_code == "999999999"
    rejection = told.message.record
    assert rejection["reason"] == "message_too_large"
    assert rejection["original_size"] == MAX_ENVELOPE_BYTES + 1
    assert rejection["original_sha256"] == hashlib.sha256(value).digest()
