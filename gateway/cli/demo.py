"""``gateway demo``: a signed request travelling through the exchange to its answer.

Starts what is missing (the local Kafka when none is configured, the topics, a development
PKI, the sample service registry), runs the worker, a reference recipient, the reference
servers of the unified portal, E-qaror and NIS.UZ and the adapters' runners; sends a signed
request and prints every lifecycle stage as the events topic records it, with its time in
Tashkent and the deadline in force; shows what the applicant sees on the portal, registers a
draft decision in E-qaror, reports today's statistics to NIS.UZ; then sends a request missing
a mandatory field and shows its rejection. The applicant's personal data is never printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import AsyncGenerator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from gateway.acl import apply_acls, load_plan
from gateway.broker import broker_answers
from gateway.calendar import default_calendar
from gateway.cli.acl import acl_inputs
from gateway.cli.demo_adapters import DemoAdapters, adapters_running
from gateway.cli.kafka import local_kafka, secure_up
from gateway.cli.messages import agency_client
from gateway.cli.topics import apply_topics
from gateway.client import AgencyClient, answer_requests
from gateway.config import Settings
from gateway.exceptions import GatewayError
from gateway.kafka import BROKER, OPERATOR, WORKER, adapter_identity, connection_for, start_client
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_attachment, sample_request
from gateway.services import load_services
from gateway.signing import PkiLayout, init_pki
from gateway.signing.tls import ensure_tls
from gateway.topics import load_topics
from gateway.topics.names import EVENTS
from gateway.worker import start_worker_process, stop_worker_process

__all__ = ["demo"]

_SAMPLE_SERVICES = Path(__file__).resolve().parents[2] / "services.yaml"
_CALENDAR = default_calendar()


def _local(at: datetime | None) -> str:
    if at is None:
        return "none (exempt)"
    return _CALENDAR.to_local(at).strftime("%a %Y-%m-%d %H:%M:%S Tashkent")


def _say(title: str, **facts: Any) -> None:
    click.secho(title, bold=True)
    for key, value in facts.items():
        click.echo(f"    {key.replace('_', ' ')}: {value}")


async def _ensure_broker(settings: Settings) -> None:
    if await broker_answers(connection_for(settings, OPERATOR)):
        return
    if "GATEWAY_KAFKA_BOOTSTRAP" in os.environ:
        raise GatewayError(
            f"no Kafka answers at {settings.kafka_bootstrap}",
            hint="start that broker, or unset GATEWAY_KAFKA_BOOTSTRAP to use the local one",
        )
    broker = local_kafka(settings)
    await asyncio.to_thread(secure_up, settings, broker, 120.0)
    _say(
        "local Kafka started",
        bootstrap=broker.bootstrap,
        security="mutual TLS, ACLs" if broker.secure else "PLAINTEXT (insecure)",
    )


def _client(settings: Settings, pki: PkiLayout, org: str, registry: SchemaRegistry) -> AgencyClient:
    ident = pki.orgs[org]
    # stable group: a second run answers only what is new
    return agency_client(
        settings, org, ident.key, ident.cert, registry=registry, group=f"{org}.demo"
    )


def _dashboard_tokens(settings: Settings) -> tuple[str, str]:
    """The dashboard's observer and operator tokens: the configured ones, or new ones."""
    observer, operator = settings.dashboard_observer_token, settings.dashboard_operator_token
    return (
        observer.get_secret_value() if observer else secrets.token_urlsafe(18),
        operator.get_secret_value() if operator else secrets.token_urlsafe(18),
    )


@contextlib.contextmanager
def _worker(settings: Settings, tokens: tuple[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``gateway worker`` beside the demo; its log goes to <home>/demo-worker.log."""
    env = dict(os.environ, GATEWAY_SERVICES_FILE=str(settings.services_file))
    env.setdefault("GATEWAY_NISUZ_REPORT_S", "0")  # the demo reports on demand
    env["GATEWAY_DASHBOARD_OBSERVER_TOKEN"], env["GATEWAY_DASHBOARD_OPERATOR_TOKEN"] = tokens
    proc = start_worker_process(
        env,
        web_host=settings.worker_web_host,
        web_port=settings.worker_web_port,
        log=settings.home / "demo-worker.log",
    )
    try:
        yield proc
    finally:
        stop_worker_process(proc)


async def _events(
    settings: Settings, registry: SchemaRegistry
) -> AsyncGenerator[dict[str, Any], None]:
    """Lifecycle events as they are written (from the end of the events topic)."""
    connection = connection_for(settings, OPERATOR)
    consumer = connection.consumer(
        EVENTS,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        group_id=f"{OPERATOR}.demo-events-{time.time_ns()}",
        fetch_max_wait_ms=50,
    )
    await start_client(connection, consumer)
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        for tp in consumer.assignment():
            await consumer.seek_to_end(tp)
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for rec in records:
                    yield registry.decode_single(rec.value or b"").record
    finally:
        await consumer.stop()


async def _secure_exchange(settings: Settings) -> None:
    """The Kafka identities of every party of the demo, and their ACLs when this host holds
    the broker's identity (a local broker): a demo with its own worker id or services gets
    the rights it needs, and nothing more."""
    spec = load_topics(settings.topics_file)
    services = load_services(settings.services_file)
    adapters = sorted(set(spec.adapters) | set(services.adapters))
    principals = [OPERATOR, WORKER, *(adapter_identity(a) for a in adapters)]
    tls = ensure_tls(settings.tls_dir, [*principals, *(b.code for b in spec.bodies)])
    if settings.kafka_security_protocol == "PLAINTEXT" or not tls.broker.key.exists():
        return
    changes = await apply_acls(connection_for(settings, BROKER), load_plan(acl_inputs(settings)))
    if changes.create:
        click.echo(f"    acl: {len(changes.create)} bindings created (gateway acl plan lists them)")


async def _run(settings: Settings, keep_running: bool) -> None:
    await _ensure_broker(settings)
    if not settings.services_file.exists():
        shutil.copyfile(_SAMPLE_SERVICES, settings.services_file)
    await _secure_exchange(settings)
    for line in await apply_topics(settings, settings.topics_file, dry_run=False):
        if line.startswith(("create", "change")):
            click.echo(f"    topics: {line}")
    services = load_services(settings.services_file)
    service = services.get("DX-0123")
    if service is None:
        raise GatewayError(f"{settings.services_file} lacks the sample service DX-0123")
    requester = sorted(service.requesters)[0]
    holder = service.provider
    bodies = {b.code: b.name for b in load_topics(settings.topics_file).bodies}
    pki = init_pki(settings.pki_dir, list(bodies), gateway_org=settings.gateway_org)
    registry = SchemaRegistry.load()
    _say(
        "the exchange",
        requester=f"{requester} {bodies.get(requester, '')}",
        holder=f"{holder} {bodies.get(holder, '')}",
        service=f"{service.registry_number} {service.name} (deadline: {service.deadline.kind})",
        adapters=", ".join(service.adapters),
    )

    tokens = _dashboard_tokens(settings)
    with _worker(settings, tokens):
        async with adapters_running(settings) as adapters:
            await _exchange(settings, pki, registry, bodies, requester, holder, adapters)
            if keep_running:
                url = f"http://{settings.worker_web_host}:{settings.worker_web_port}/dashboard"
                _say(
                    "still running: open the dashboard; Ctrl-C stops everything",
                    dashboard=url,
                    observer_token=tokens[0],
                    operator_token=tokens[1],
                    track=f"GATEWAY_DASHBOARD_OBSERVER_TOKEN={tokens[0]} gateway track ID",
                )
                await asyncio.Event().wait()  # until Ctrl-C cancels the run


async def _exchange(
    settings: Settings,
    pki: PkiLayout,
    registry: SchemaRegistry,
    bodies: dict[str, str],
    requester: str,
    holder: str,
    adapters: DemoAdapters,
) -> None:
    events = _events(settings, registry)
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    async with (
        _client(settings, pki, requester, registry) as asking,
        _client(settings, pki, holder, registry) as answering,
    ):
        recipient = asyncio.create_task(answer_requests(answering))
        request = sample_request(
            sender={"code": requester, "name": bodies.get(requester, requester)},
            recipient={"code": holder, "name": bodies.get(holder, holder)},
        )
        for key in ("message_id", "case_id", "sent_at", "signature_requisites"):
            request.pop(key)
        request["extra"] = {"portal_application_id": f"PA-{time.time_ns() % 10**9:09d}"}
        sent = await asking.send("Request", request)
        _say(
            "request signed and published (item 14 requisites, e-signature)",
            message_id=sent.message_id,
            outbox=f"{sent.topic} partition {sent.partition} offset {sent.offset}",
        )
        pending: asyncio.Future[dict[str, Any]] = first
        while True:
            event = await asyncio.wait_for(pending, 60)
            pending = asyncio.ensure_future(anext(events))
            if event["case_id"] != sent.case_id or "adapter" in event["detail"]:
                continue
            late = " (late)" if event["detail"].get("late") == "true" else ""
            click.echo(
                f"  {_local(event['at'])}  {event['stage']:<10} by {event['actor']}  "
                f"{event['detail'].get('type', '')}{late}  deadline {_local(event['deadline'])}"
            )
            if event["stage"] == "closed":
                break
        await adapters.show_portal(sent.case_id)
        await _decision(asking, request, adapters)
        await adapters.show_nisuz(holder, "DX-0123")
        recipient.cancel()

        bad = dict(request)
        bad["signer"] = {**request["signer"], "position": ""}
        rejected = await asking.send("Request", bad)
        _say("a request without the signer's position (item 14)", message_id=rejected.message_id)
        async with contextlib.aclosing(asking.inbox(follow=True, idle_ms=500)) as inbox:
            async for item in inbox:
                message = item.message
                if (
                    message
                    and message.kind == "Rejection"
                    and message.record["message_id"] == rejected.message_id
                ):
                    _say(
                        "  rejected, the requester told through its inbox (signed)",
                        reason=message.record["reason"],
                        field=message.record["field_path"],
                        message=message.record["message"],
                    )
                    break
        pending.cancel()
        await events.aclose()
    click.echo(f"\nfollow any case: gateway track {sent.message_id}  (while `gateway worker` runs)")


async def _decision(asking: AgencyClient, request: dict[str, Any], adapters: DemoAdapters) -> None:
    """A draft hokim's decision for legal review (DX-0901): E-qaror registers it."""
    draft = sample_attachment(
        b"%PDF-1.7\n% Toshkent shahar hokimining qarori loyihasi\n%%EOF\n",
        name="qaror-loyihasi.pdf",
        document_kind="hokim_decision",
    )
    asked = await asking.send(
        "Request",
        {
            **request,
            "service": {"registry_number": "DX-0901", "name": "Hokim qarori loyihasi"},
            "application": draft,
            "requested": [{"code": "legal_opinion", "title": "Huquqiy ekspertiza xulosasi"}],
            "extra": {},
        },
    )
    _say("a draft hokim's decision sent for legal review (DX-0901)", message_id=asked.message_id)
    async with contextlib.aclosing(asking.inbox(follow=True, idle_ms=500)) as inbox:
        async for item in inbox:
            message = item.message
            if message is None or message.kind != "Status":
                continue
            record = message.record
            if record["message_id"] == asked.message_id and record["stage"] == "delivered":
                await adapters.show_eqaror(record)
                return


@click.command()
@click.option(
    "--keep-running",
    is_flag=True,
    help="afterwards keep the worker and adapters running, with the dashboard, until Ctrl-C",
)
@click.pass_obj
def demo(settings: Settings, keep_running: bool) -> None:
    """Run the exchange end to end: a signed request to its answer, then a rejection."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(settings, keep_running))
