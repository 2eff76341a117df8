"""What an adapter is given: one record of its topic, decoded once by the runner.

An adapter topic (``exchange.adapter.<name>``) carries what the gateway hands the adapter:

* the sender's signed envelope of a request, response, refusal or cancellation, forwarded
  byte for byte after the gateway verified it at intake (only the gateway writes the topic);
* a lifecycle event (``Status``, e.g. ``overdue``) as an Avro single-object record;
* a statistics report (``StatsReport``) for NIS.UZ.

The runner decodes each record once into an :class:`AdapterMessage`; an adapter reads
``kind`` and ``record`` and never parses bytes itself. ``idempotency_key`` is what the adapter
sends to the target so that a redelivery (after a crash or a retry) is applied once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.exceptions import DecodeError
from gateway.schemas import SchemaRegistry

__all__ = ["AdapterMessage", "decode_adapter_record"]

_ENVELOPE_KINDS = frozenset({"Request", "Response", "Refusal", "Cancellation"})


@dataclasses.dataclass(frozen=True, slots=True)
class AdapterMessage:
    """One message for an adapter.

    ``kind`` is the schema name (``Request``, ``Response``, ``Refusal``, ``Cancellation``,
    ``Status``, ``StatsReport``); ``record`` the decoded body; ``raw`` the record's bytes as
    they are on the topic (for dead letters and for adapters that forward envelopes).
    """

    kind: str
    record: Mapping[str, Any]
    idempotency_key: str
    case_id: str
    message_id: str
    headers: Mapping[str, str]
    raw: bytes
    key: bytes | None = None
    topic: str = ""
    partition: int = 0
    offset: int = 0

    @property
    def deadline(self) -> datetime | None:
        """The legal deadline in force when the gateway routed the message (header)."""
        return _instant(self.headers.get("gateway.deadline"))

    @property
    def received_at(self) -> datetime | None:
        """When the gateway received the message (the start of the legal clock)."""
        return _instant(self.headers.get("gateway.received_at"))

    @property
    def late(self) -> bool:
        """True for an answer delivered after its deadline."""
        return self.headers.get("gateway.late") == "true"

    @property
    def requester(self) -> str | None:
        """The body that asked (the requester of the case), when the message tells it."""
        record = self.record
        if self.kind == "Request":
            return str(record["sender"]["code"])
        if self.kind in {"Response", "Refusal"}:
            return str(record["recipient"]["code"])
        if self.kind == "Cancellation":
            return str(record["sender"]["code"])
        if self.kind == "Status":
            return (record.get("detail") or {}).get("requester")
        return None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def decode_adapter_record(
    registry: SchemaRegistry,
    raw: bytes,
    *,
    headers: Sequence[tuple[str, bytes]] = (),
    key: bytes | None = None,
    topic: str = "",
    partition: int = 0,
    offset: int = 0,
) -> AdapterMessage:
    """Decode one adapter-topic record; raises :class:`DecodeError` for bytes it cannot read.

    The envelope's signature is not checked again: the gateway verified it at intake and only
    the gateway may write adapter topics (Kafka ACL). An adapter that must prove the origin
    to its target forwards ``raw``, which still carries the sender's signature.
    """
    decoded = registry.decode_single(raw)
    if decoded.name == "Envelope":
        envelope = decoded.record
        body = registry.decode(envelope["schema_fingerprint"], envelope["body"])
        kind, record = body.name, body.record
        if kind not in _ENVELOPE_KINDS:
            raise DecodeError(f"an envelope on an adapter topic carries a {kind}")
        ident = str(record["message_id"])
        case_id, message_id = str(record["case_id"]), ident
    elif decoded.name == "Status":
        kind, record = "Status", decoded.record
        ident = str(record["event_id"])
        case_id, message_id = str(record["case_id"]), str(record["message_id"])
    elif decoded.name == "StatsReport":
        kind, record = "StatsReport", decoded.record
        # a report is re-sent with newer figures under the same id: each version is one delivery
        generated = int(record["generated_at"].timestamp() * 1000)
        ident = f"{record['report_id']}.{generated}"
        case_id, message_id = "", str(record["report_id"])
    else:
        raise DecodeError(f"a {decoded.name} record does not belong on an adapter topic")
    return AdapterMessage(
        kind=kind,
        record=record,
        idempotency_key=ident,
        case_id=case_id,
        message_id=message_id,
        headers={k: v.decode("utf-8", "replace") for k, v in headers},
        raw=raw,
        key=key,
        topic=topic,
        partition=partition,
        offset=offset,
    )
