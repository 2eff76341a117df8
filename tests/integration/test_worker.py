"""The exchange pipeline on the real broker: a real ``gateway worker`` process per exchange."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord

from gateway.client import InboxItem
from gateway.envelope import headers_dict
from gateway.schemas import SchemaRegistry
from gateway.topics.names import EVENTS, REJECTED, inbox_topic, outbox_topic
from tests.conftest import Broker
from tests.integration.exchange import (
    ARCHIVE,
    Exchange,
    WorkerProcess,
    first,
    make_exchange,
    now_utc,
    produce_raw,
    read_until,
)

pytestmark = pytest.mark.integration

REGISTRY = SchemaRegistry.load()


@pytest.fixture(scope="module")
async def exchange(
    tmp_path_factory: pytest.TempPathFactory, kafka_broker: Broker
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("exchange")
    ex = await make_exchange(root, kafka_broker, root.name.replace("_", "-"))
    yield ex
    ex.stop_workers()


@pytest.fixture(scope="module")
def worker(exchange: Exchange) -> WorkerProcess:
    return exchange.start_worker()


def is_kind(kind: str, **fields: str) -> Callable[[InboxItem], bool]:
    def match(item: InboxItem) -> bool:
        if item.message is None or item.message.kind != kind:
            return False
        return all(item.message.record.get(k) == v for k, v in fields.items())

    return match


def events_of(records: list[ConsumerRecord[bytes, bytes]], case_id: str) -> list[dict[str, object]]:
    key = case_id.encode()
    return [REGISTRY.decode_single(rec.value or b"").record for rec in records if rec.key == key]


async def test_a_request_travels_to_its_answer(exchange: Exchange, worker: WorkerProcess) -> None:
    async with exchange.client(exchange.R) as requester:
        sent = await requester.send("Request", exchange.request())
        receipt = await first(requester, is_kind("Receipt", message_id=sent.message_id))
    assert receipt.message is not None
    assert receipt.message.record["outcome"] == "accepted"
    assert receipt.message.signer.org_code == "999999999"  # signed by the gateway
    deadline = receipt.message.record["deadline"]
    assert deadline is not None
    assert deadline > now_utc()

    async with exchange.client(exchange.H) as holder:
        got = await first(holder, is_kind("Request", message_id=sent.message_id))
        assert got.message is not None
        assert got.message.signer.org_code == exchange.R  # the requester's own signature
        answer = await holder.send("Response", exchange.response(got.message.record))

    async with exchange.client(exchange.R) as requester:
        response = await first(requester, is_kind("Response", in_reply_to=sent.message_id))
    assert response.message is not None
    assert response.message.record["message_id"] == answer.message_id

    def closed(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        return any(e["stage"] == "closed" for e in events_of(records, sent.case_id))

    events = events_of(await read_until(exchange.kafka, EVENTS, closed), sent.case_id)
    stages = [e["stage"] for e in events]
    assert stages == [
        "received",
        "accepted",
        "delivered",
        "received",
        "answered",
        "delivered",
        "closed",
    ]

    async def timeline() -> list[str]:
        while True:
            found = worker.track(answer.message_id)  # any message id finds the case
            if found and len(found["timeline"]) == len(stages):
                return [e["stage"] for e in found["timeline"]]
            await asyncio.sleep(0.1)  # the tracker consumes the events just read

    assert await asyncio.wait_for(timeline(), 30) == stages


async def test_each_rejection_class_reaches_the_rejection_topic(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    cases: dict[str, tuple[str, str | None]] = {}  # message id -> (reason, field)
    async with ex.client(ex.R) as r:
        bad = ex.request()
        bad["signer"] = {**bad["signer"], "surname": ""}
        cases[(await r.send("Request", bad)).message_id] = ("missing_field", "signer.surname")
        secret = ex.request(classification="state_secret")
        cases[(await r.send("Request", secret)).message_id] = ("state_secret", "classification")
        unknown = ex.request(service={"registry_number": "NO-SUCH-1", "name": "Yo'q"})
        cases[(await r.send("Request", unknown)).message_id] = (
            "unknown_service",
            "service.registry_number",
        )
        future = ex.request(sent_at=now_utc() + timedelta(hours=1))
        cases[(await r.send("Request", future)).message_id] = ("clock_skew", "sent_at")
        full, value = r.seal("Request", ex.request())
    await produce_raw(ex.kafka, outbox_topic(ex.X), value, key=full["case_id"].encode())
    cases[full["message_id"]] = ("wrong_outbox", "sender.code")
    async with ex.client(ex.X) as x:  # X is not among the service's requesters (item 21)
        denied = await x.send("Request", ex.request(sender=ex.X))
        cases[denied.message_id] = ("not_authorised", "sender.code")
    async with ex.client(ex.H) as h:
        orphan = ex.response(ex.request(message_id=full["message_id"], case_id=full["message_id"]))
        orphan["case_id"] = orphan["in_reply_to"] = "00000000-0000-4000-8000-000000000000"
        cases[(await h.send("Response", orphan)).message_id] = ("unknown_request", "case_id")
    garbage_topic = outbox_topic(ex.bodies[3])
    await produce_raw(ex.kafka, garbage_topic, b"\x00not an envelope at all")

    ours = {outbox_topic(b) for b in ex.bodies}

    def mine(records: list[ConsumerRecord[bytes, bytes]]) -> list[ConsumerRecord[bytes, bytes]]:
        return [
            rec
            for rec in records
            if headers_dict(rec.headers).get("__connect.errors.topic") in ours
        ]

    records = mine(await read_until(ex.kafka, REJECTED, lambda rs: len(mine(rs)) >= len(cases) + 1))
    found: dict[str, tuple[str, str | None]] = {}
    garbage = []
    for rec in records:
        rejection = REGISTRY.decode_single(rec.value or b"").record
        headers = headers_dict(rec.headers)
        assert headers["__connect.errors.offset"] == str(rejection["source_offset"])
        assert headers["reason"] == rejection["reason"]
        assert rejection["original"]  # the original bytes travel with the reason
        if rejection["message_id"] is None:
            garbage.append(rejection)
        else:
            found[rejection["message_id"]] = (rejection["reason"], rejection["field_path"])
    assert found == cases
    assert [g["reason"] for g in garbage] == ["malformed_envelope"]
    assert garbage[0]["original"] == b"\x00not an envelope at all"
    assert garbage[0]["source_topic"] == garbage_topic

    # the sender is told through its inbox, by a Rejection the gateway signed
    async with ex.client(ex.X) as x:
        told = await first(x, is_kind("Rejection", message_id=denied.message_id))
    assert told.message is not None
    assert told.message.record["reason"] == "not_authorised"


async def test_a_resent_message_is_acknowledged_again_and_routed_once(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    async with ex.client(ex.R) as r:
        full, value = r.seal("Request", ex.request())
    for _ in range(2):
        await produce_raw(ex.kafka, outbox_topic(ex.R), value, key=full["case_id"].encode())
    mid = full["message_id"].encode()

    def receipts(records: list[ConsumerRecord[bytes, bytes]]) -> list[ConsumerRecord[bytes, bytes]]:
        return [
            rec
            for rec in records
            if (rec.key == full["case_id"].encode())
            and headers_dict(rec.headers).get("type") == "Receipt"
        ]

    got = receipts(await read_until(ex.kafka, inbox_topic(ex.R), lambda rs: len(receipts(rs)) >= 2))
    outcomes = [
        ex.codec.open(rec.value or b"", ex.verifier, expected_org="999999999").record["outcome"]
        for rec in got
    ]
    assert outcomes == ["accepted", "duplicate"]
    # the second receipt was produced after the second copy was decided on: count the inbox now
    routed = [
        rec
        for rec in await read_until(ex.kafka, inbox_topic(ex.H), lambda rs: False, timeout=3)
        if headers_dict(rec.headers).get("message_id") == mid.decode()
    ]
    assert len(routed) == 1


async def test_an_overdue_case_produces_its_event(
    tmp_path: Path, kafka_broker: Broker, unique: str
) -> None:
    """A test clock five days ahead: the timer finds the case past its deadline at once."""
    ex = await make_exchange(tmp_path, kafka_broker, unique)
    try:
        ex.start_worker(GATEWAY_CLOCK_OFFSET_S=str(5 * 24 * 3600))
        async with ex.client(ex.R) as r:
            archive = await r.send(
                "Request",
                ex.request(
                    service={"registry_number": ARCHIVE, "name": "Arxiv"},
                    requested=[{"code": "any", "title": "Arxiv ma'lumotnomasi"}],
                ),
            )
            await first(r, is_kind("Receipt", message_id=archive.message_id))
            sent = await r.send("Request", ex.request())
            notice = await first(r, is_kind("Status", message_id=sent.message_id))
        assert notice.message is not None
        assert notice.message.record["stage"] == "overdue"
        assert notice.message.record["event_id"] == f"{sent.message_id}.overdue"
        assert notice.message.signer.org_code == "999999999"

        def overdue(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
            return any(e["stage"] == "overdue" for e in events_of(records, sent.case_id))

        records = await read_until(ex.kafka, EVENTS, overdue)
        assert [e["stage"] for e in events_of(records, sent.case_id)][-1] == "overdue"
        # an archive reference has no term (item 22): never overdue
        assert "overdue" not in [e["stage"] for e in events_of(records, archive.case_id)]
        # the holder is told too
        async with ex.client(ex.H) as h:
            await first(h, is_kind("Status", message_id=sent.message_id))
    finally:
        ex.stop_workers()
