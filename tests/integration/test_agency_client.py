"""The agency client against the real broker: sign, publish, read back, verify."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gateway.acl import apply_acls
from gateway.acl.plan import body_acls
from gateway.client import AgencyClient
from gateway.envelope import MAX_ENVELOPE_BYTES, SEAL_HEADER, EnvelopeCodec, Sealer, headers_dict
from gateway.kafka import start_client
from gateway.reasons import Reason
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_attachment, sample_receipt, sample_request
from gateway.signing import PkiLayout, Signer, Verifier, init_pki
from gateway.topics import load_topics
from gateway.topics.names import inbox_topic, outbox_topic
from tests.conftest import Broker

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def org_codes(unique: str) -> tuple[str, str]:
    """Two 9-digit body codes unique to this test (topics are per body)."""
    number = int(unique, 16) % 10_000_000
    return f"7{number:07d}1", f"7{number:07d}2"


@pytest.fixture
async def bodies(
    tmp_path: Path, unique: str, kafka_admin: AIOKafkaAdminClient, kafka_broker: Broker
) -> tuple[str, str, PkiLayout]:
    sender, recipient = org_codes(unique)
    pki = init_pki(tmp_path / "pki", [sender, recipient])
    topics = [outbox_topic(sender), inbox_topic(recipient)]
    await kafka_admin.create_topics([NewTopic(t, 1, 1) for t in topics])
    await apply_acls(kafka_broker.superuser, frozenset(body_acls(sender) + body_acls(recipient)))
    return sender, recipient, pki


def client_for(org: str, pki: PkiLayout, broker: Broker) -> AgencyClient:
    ident = pki.orgs[org]
    return AgencyClient(
        org,
        Signer.from_files(ident.key, ident.cert),
        Verifier.from_paths([pki.ca_cert], [pki.crl]),
        connection=broker.connection(org),
        gateway_org=pki.gateway.org_code,
    )


async def test_sent_request_lands_signed_in_the_outbox(
    bodies: tuple[str, str, PkiLayout], kafka_broker: Broker
) -> None:
    sender, recipient, pki = bodies
    record = sample_request(
        sender={"code": sender, "name": "Sender"},
        recipient={"code": recipient, "name": "Recipient"},
    )
    for key in ("message_id", "case_id", "sent_at", "signature_requisites"):
        record.pop(key)
    async with client_for(sender, pki, kafka_broker) as client:
        sent = await client.send("Request", record)
    assert sent.topic == outbox_topic(sender)
    assert sent.case_id == sent.message_id

    harness = kafka_broker.superuser
    consumer = harness.consumer(sent.topic, auto_offset_reset="earliest")
    await start_client(harness, consumer)
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert message.key == sent.case_id.encode()
    headers = headers_dict(message.headers)
    assert headers["message_id"] == sent.message_id
    assert (headers["sender"], headers["recipient"]) == (sender, recipient)
    verifier = Verifier.from_paths([pki.ca_cert], [pki.crl])
    opened = EnvelopeCodec(SchemaRegistry.load()).open(message.value, verifier)
    assert opened.signer.org_code == sender
    assert opened.record["applicant"] == record["applicant"]
    assert opened.record["signature_requisites"]["certificate_serial"] == opened.signer.serial


async def test_inbox_verifies_dedupes_and_reports_unreadable_records(
    bodies: tuple[str, str, PkiLayout], kafka_broker: Broker
) -> None:
    _sender, recipient, pki = bodies
    codec = EnvelopeCodec(SchemaRegistry.load())
    gateway = Signer.from_files(pki.gateway.key, pki.gateway.cert)
    receipt = sample_receipt(received_at=datetime.now(UTC))
    sealed = codec.seal("Receipt", receipt, gateway)
    topic = inbox_topic(recipient)
    sealer = Sealer(gateway)  # this test writes what the gateway would
    garbage = b"not an envelope"
    records = [
        (sealed, sealer.seal(topic, receipt["message_id"], sealed)),
        (sealed, sealer.seal(topic, receipt["message_id"], sealed)),  # a redelivery
        (garbage, sealer.seal(topic, "", garbage)),  # sealed, but unreadable
        (sealed, None),  # the gateway's genuine envelope, not delivered by the gateway
    ]
    harness = kafka_broker.superuser
    producer = harness.producer(acks="all")
    await start_client(harness, producer)
    try:
        for value, seal in records:
            headers = [] if seal is None else [(SEAL_HEADER, seal)]
            await producer.send_and_wait(topic, value, headers=headers)
    finally:
        await producer.stop()

    async with client_for(recipient, pki, kafka_broker) as client:
        items = [item async for item in client.inbox(idle_ms=1500)]
    assert len(items) == 3
    assert items[0].message is not None
    assert items[0].message.kind == "Receipt"
    assert items[0].message.record["message_id"] == receipt["message_id"]
    assert items[1].message is None
    assert items[1].error is not None
    assert items[1].error.reason == Reason.MALFORMED_ENVELOPE
    assert items[2].message is None
    assert items[2].error is not None
    assert items[2].error.reason == Reason.NOT_DELIVERED_BY_GATEWAY

    async with client_for(recipient, pki, kafka_broker) as client:  # offsets were committed
        assert [item async for item in client.inbox(idle_ms=1000)] == []


async def test_a_three_mib_request_travels_through_an_outbox_configured_as_topics_yaml(
    tmp_path: Path, unique: str, kafka_admin: AIOKafkaAdminClient, kafka_broker: Broker
) -> None:
    sender, recipient = org_codes(unique)
    pki = init_pki(tmp_path / "pki", [sender, recipient])
    spec = load_topics(ROOT / "topics.yaml").by_name()["exchange.outbox.201000001"]
    await kafka_admin.create_topics(
        [NewTopic(outbox_topic(sender), 1, 1, topic_configs=spec.configs)]
    )
    await apply_acls(kafka_broker.superuser, frozenset(body_acls(sender)))
    record = sample_request(
        sender={"code": sender, "name": "Sender"},
        recipient={"code": recipient, "name": "Recipient"},
        application=sample_attachment(b"%PDF" + bytes(3 * 1024 * 1024)),
    )
    for key in ("message_id", "case_id", "sent_at", "signature_requisites"):
        record.pop(key)  # the client fills these in
    async with client_for(sender, pki, kafka_broker) as client:
        sent = await client.send("Request", record)
    harness = kafka_broker.superuser
    consumer = harness.consumer(
        sent.topic,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=MAX_ENVELOPE_BYTES + 64 * 1024,
    )
    await start_client(harness, consumer)
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert len(message.value) > 3 * 1024 * 1024
    opened = EnvelopeCodec(SchemaRegistry.load()).open(
        message.value, Verifier.from_paths([pki.ca_cert])
    )
    assert opened.record["application"]["size"] == 3 * 1024 * 1024 + 4
