"""``gateway send`` and ``gateway inbox``: the agency client on the command line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from gateway.client import AgencyClient, InboxItem, from_json, to_json
from gateway.config import Settings
from gateway.exceptions import ConfigError, ValidationError
from gateway.kafka import connection_for
from gateway.schemas import SchemaRegistry
from gateway.signing import CrlWatch, Signer, TrustStore, Verifier

__all__ = ["inbox", "inbox_line", "load_message_json", "send"]

_KINDS = ["Request", "Response", "Refusal", "Cancellation"]


def load_message_json(path: Path, kind: str, registry: SchemaRegistry) -> dict[str, Any]:
    """Read ``path`` as JSON and convert it for the ``kind`` schema.

    Fields the client fills in (message_id, case_id, sent_at, signature_requisites) may be
    left out. Raises :class:`ValidationError` naming the file and the bad field.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: the message must be a JSON object")
    version = registry.schema(kind)
    schema = dict(version.definition)
    optional = {"message_id", "case_id", "sent_at", "signature_requisites"}
    present = set(data)
    # the client fills these in: relax them to "may be missing" for the conversion only
    schema["fields"] = [
        f for f in schema["fields"] if f["name"] in present or f["name"] not in optional
    ]
    try:
        converted: dict[str, Any] = from_json(schema, data, version.named)
    except ValidationError as exc:
        raise ValidationError(
            f"{path}: {exc.message}", reason=exc.reason, field=exc.field
        ) from None
    return converted


def agency_client(
    settings: Settings,
    org: str,
    key: Path,
    cert: Path,
    *,
    registry: SchemaRegistry | None = None,
    group: str | None = None,
) -> AgencyClient:
    """The agency client for ``org`` with its key, the settings' trust store and broker.

    Its CRLs are watched (``GATEWAY_CRL_*``), so ``gateway inbox --follow`` picks up a new
    CRL while it runs.
    """
    verifier = Verifier(TrustStore.from_paths(settings.trust_paths))  # CRLs: the watch
    watch = CrlWatch(verifier, settings.crl_paths, policy=settings.crl_policy)
    watch.load()
    return AgencyClient(
        org,
        Signer.from_files(key, cert),
        verifier,
        connection=connection_for(settings, org),
        registry=registry,
        group_id=group,
        gateway_org=settings.gateway_org,
        crl_watch=watch,
    )


def _identity_options(command: Callable[..., None]) -> Callable[..., None]:
    """The body's signing key and certificate chain, shared by send and inbox."""
    for option in reversed(
        [
            click.option(
                "--key",
                type=click.Path(path_type=Path, exists=True, dir_okay=False),
                required=True,
                help="Your signing key (PEM).",
            ),
            click.option(
                "--cert",
                type=click.Path(path_type=Path, exists=True, dir_okay=False),
                required=True,
                help="Your certificate chain (PEM, leaf first).",
            ),
        ]
    ):
        command = option(command)
    return command


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--org", required=True, help="Your body's 9-digit code (STIR).")
@_identity_options
@click.option(
    "--type",
    "kind",
    type=click.Choice(_KINDS),
    default="Request",
    show_default=True,
    help="The message type of FILE.",
)
@click.pass_obj
def send(settings: Settings, file: Path, org: str, key: Path, cert: Path, kind: str) -> None:
    """Sign the message in FILE (JSON) and publish it to your outbox; print its id."""
    registry = SchemaRegistry.load()
    record = load_message_json(file, kind, registry)

    async def run() -> str:
        async with agency_client(settings, org, key, cert, registry=registry) as client:
            sent = await client.send(kind, record)
        return sent.message_id

    click.echo(asyncio.run(run()))


def inbox_line(item: InboxItem, *, as_json: bool) -> str:
    """One line of ``gateway inbox``: a message, or a refused record with its reason code."""
    if item.message is None:
        line: dict[str, Any] = {
            "offset": item.offset,
            "refused": True,
            "reason": str(item.error.reason) if item.error else "internal",
            "error": str(item.error),
        }
    else:
        line = {
            "offset": item.offset,
            "type": item.message.kind,
            "signer": item.message.signer.org_code,
            "record": to_json(item.message.record),
        }
    if as_json:
        return json.dumps(line, ensure_ascii=False)
    if item.message is None:
        return f"{'refused':<12} offset {item.offset} [{line['reason']}]: {line['error']}"
    r = item.message.record
    return (
        f"{item.message.kind:<12} {r.get('message_id')} case "
        f"{r.get('case_id')} from {item.message.signer.org_code}"
    )


@click.command()
@click.argument("org")
@_identity_options
@click.option("--follow", is_flag=True, help="Keep reading new messages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.option("--group", default=None, help="Consumer group [default: agency.<ORG>].")
@click.pass_obj
def inbox(
    settings: Settings,
    org: str,
    key: Path,
    cert: Path,
    follow: bool,
    as_json: bool,
    group: str | None,
) -> None:
    """Read ORG's inbox: check the gateway's seal, verify and decode every message, each
    message id once. A record the gateway did not deliver, or cannot be read, is printed as
    refused with its reason code (e.g. not_delivered_by_gateway) and never as a message."""

    async def run() -> None:
        async with agency_client(settings, org, key, cert, group=group) as client:
            async for item in client.inbox(follow=follow):
                click.echo(inbox_line(item, as_json=as_json))

    asyncio.run(run())
