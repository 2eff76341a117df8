"""``gateway demo``: a signed request travelling through the exchange, stage by stage.

What runs today: the development PKI, the agency client signing and publishing a request to
the requester's outbox, the intake checks (decode, signature, chain, organisation) with the
legal deadline, and the holding body's signed answer in its own outbox. Routing between the
bodies is the exchange pipeline's job (the ``gateway worker``), which this demo will drive
once it exists; until then it says so instead of pretending.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import click
from aiokafka import AIOKafkaConsumer, TopicPartition

from gateway.calendar import default_calendar
from gateway.client import AgencyClient, Sent
from gateway.config import Settings
from gateway.envelope import EnvelopeCodec, OpenedMessage
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_request, sample_response
from gateway.signing import PkiLayout, Signer, Verifier, init_pki
from gateway.topics import load_topics

__all__ = ["demo"]

_TASHKENT = "%Y-%m-%d %H:%M %Z"


def _stage(number: int, title: str, **facts: Any) -> None:
    click.secho(f"[{number}] {title}", fg="cyan", bold=True)
    for key, value in facts.items():
        click.echo(f"    {key.replace('_', ' '):<18} {value}")


async def _read_back(bootstrap: str, sent: Sent) -> bytes:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(sent.topic, sent.partition)
        consumer.assign([tp])
        consumer.seek(tp, sent.offset)
        record = await consumer.getone()
        return bytes(record.value or b"")
    finally:
        await consumer.stop()


def _client(
    org: str, pki: PkiLayout, verifier: Verifier, settings: Settings, registry: SchemaRegistry
) -> AgencyClient:
    ident = pki.orgs[org]
    return AgencyClient(
        org,
        Signer.from_files(ident.key, ident.cert),
        verifier,
        bootstrap=settings.kafka_bootstrap,
        registry=registry,
        gateway_org=settings.gateway_org,
    )


async def _run(settings: Settings) -> None:
    topics = load_topics(settings.topics_file)
    requester, holder = topics.bodies[0], topics.bodies[1]
    pki = init_pki(
        settings.pki_dir, [b.code for b in topics.bodies], gateway_org=settings.gateway_org
    )
    registry = SchemaRegistry.load()
    codec = EnvelopeCodec(registry)
    verifier = Verifier.from_paths([pki.ca_cert], [pki.crl])
    calendar = default_calendar()

    request = sample_request(
        sender={"code": requester.code, "name": requester.name},
        recipient={"code": holder.code, "name": holder.name},
    )
    for key in ("message_id", "case_id", "sent_at", "signature_requisites"):
        request.pop(key)
    _stage(
        1,
        "applicant's request registered; the requesting body prepares the "
        "interagency request (item 14)",
        requester=f"{requester.code} {requester.name}",
        holder=f"{holder.code} {holder.name}",
        service=f"{request['service']['registry_number']} {request['service']['name']}",
        classification=request["classification"],
    )

    async with _client(requester.code, pki, verifier, settings, registry) as client:
        began = time.perf_counter()
        sent = await client.send("Request", request)
        took = (time.perf_counter() - began) * 1000
    _stage(
        2,
        "signed and published to the requester's outbox",
        message_id=sent.message_id,
        topic=f"{sent.topic} partition {sent.partition} offset {sent.offset}",
        schema=f"Request v{registry.latest_version('Request')}"
        f" fingerprint {registry.fingerprint('Request').hex()}",
        acknowledged=f"{took:.1f} ms",
    )

    raw = await _read_back(settings.kafka_bootstrap, sent)
    intake = datetime.now(UTC)  # item 16: the day it enters the system is the day received
    began = time.perf_counter()
    opened: OpenedMessage = codec.open(raw, verifier)
    took = (time.perf_counter() - began) * 1e6
    received = calendar.to_local(calendar.effective_receipt(intake))
    due = calendar.due_date(intake)
    _stage(
        3,
        "intake: decoded, signature and certificate verified, legal clock started",
        size=f"{len(raw)} bytes",
        signer=f"{opened.signer.org_code} ({opened.signer.common_name})",
        algorithm=opened.envelope.signature_algorithm,
        certificate=f"serial {opened.signer.serial}",
        checks=f"passed in {took:.0f} µs (first message of this certificate: chain "
        "validated, then cached)",
        intake=calendar.to_local(intake).strftime(_TASHKENT),
        counts_as_received=f"{received.strftime(_TASHKENT)} (contract 000, 10.3)",
        answer_due=f"{due.strftime(_TASHKENT)} (items 13, 16: one business day after)",
    )

    response = sample_response(
        case_id=opened.record["case_id"],
        in_reply_to=opened.record["message_id"],
        sender={"code": holder.code, "name": holder.name},
        recipient={"code": requester.code, "name": requester.name},
    )
    for key in ("message_id", "sent_at", "signature_requisites"):
        response.pop(key)
    async with _client(holder.code, pki, verifier, settings, registry) as client:
        answered = await client.send("Response", response)
    answer = codec.open(await _read_back(settings.kafka_bootstrap, answered), verifier)
    _stage(
        4,
        "the holding body answers with the documents, signed (item 15)",
        message_id=answered.message_id,
        in_reply_to=answer.record["in_reply_to"],
        documents=", ".join(d["name"] for d in answer.record["documents"]),
        verified=f"signed by {answer.signer.org_code}",
        on_time="yes" if answer.record["sent_at"] <= due else "no (late)",
    )
    _stage(
        5,
        "routing between the bodies",
        status="not yet: the exchange pipeline "
        "(gateway worker) routes outbox -> inbox; until it exists the messages wait in "
        "the outboxes",
    )


@click.command()
@click.pass_obj
def demo(settings: Settings) -> None:
    """Carry a signed request and its answer through the exchange, stage by stage."""
    asyncio.run(_run(settings))
