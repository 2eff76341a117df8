"""What the pipeline writes: forwarded envelopes, signed receipts and notices, events, rejections.

Pure builders: each returns :class:`Output` values (topic, key, value, headers) that the
Faust layer produces with acks=all before it commits the input offset. Events and rejections
are Avro single-object records on topics only the gateway writes; everything that lands in a
body's inbox is a signed envelope (the sender's own, forwarded byte for byte, or the gateway's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.envelope import EnvelopeCodec, OpenedMessage, routing_headers
from gateway.exceptions import GatewayError
from gateway.reasons import Reason
from gateway.signing import Signer
from gateway.topics.names import EVENTS, REJECTED, inbox_topic

__all__ = ["MAX_ORIGINAL_BYTES", "Output", "Outputs", "Source", "event_id"]

MAX_ORIGINAL_BYTES = 4 * 1024 * 1024
"""A rejection carries the original bytes up to the envelope limit; a larger record (which is
rejected as too large) keeps its first 4 MiB, so the rejection itself fits the topic."""


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """Where an input record came from, and when Kafka accepted it (LogAppendTime)."""

    topic: str
    partition: int
    offset: int
    timestamp: datetime

    @property
    def org(self) -> str | None:
        """The body whose outbox this is (only it may write there: Kafka ACL)."""
        prefix = "exchange.outbox."
        return self.topic[len(prefix) :] if self.topic.startswith(prefix) else None


@dataclasses.dataclass(frozen=True, slots=True)
class Output:
    """One record to produce."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


def event_id(message_id: str, stage: str) -> str:
    """Events have deterministic ids, so a replay after a crash repeats, never adds, an event."""
    return f"{message_id}.{stage}"


def _iso(value: datetime | None) -> bytes:
    return b"" if value is None else value.isoformat().encode()


class Outputs:
    """Builds the pipeline's outputs; holds the codec and the gateway's signing key."""

    def __init__(self, codec: EnvelopeCodec, signer: Signer) -> None:
        self.codec = codec
        self.registry = codec.registry
        self.signer = signer

    def forward(
        self,
        topics: Sequence[str],
        raw: bytes,
        opened: OpenedMessage,
        *,
        received_at: datetime,
        deadline: datetime | None,
        late: bool = False,
    ) -> list[Output]:
        """The sender's signed envelope, unchanged, to each of ``topics`` (the receiver verifies
        the sender); the routing headers are built once for all of them."""
        headers = routing_headers(opened.kind, opened.record)
        headers += [
            ("gateway.received_at", _iso(received_at)),
            ("gateway.deadline", _iso(deadline)),
        ]
        if late:
            headers.append(("gateway.late", b"true"))
        key, fixed = str(opened.record["case_id"]).encode(), tuple(headers)
        return [Output(topic, key, raw, fixed) for topic in topics]

    def event(self, **fields: Any) -> Output:
        """A lifecycle event on the events topic (fields as for :meth:`status`)."""
        return self.publish(self.status(**fields))

    def publish(self, record: Mapping[str, Any]) -> Output:
        """A Status record on the events topic, keyed by case id (one case stays ordered)."""
        value = self.registry.encode_single("Status", record)
        case_id = str(record["case_id"])
        headers = (("stage", str(record["stage"]).encode()), ("case_id", case_id.encode()))
        return Output(EVENTS, case_id.encode() or None, value, headers)

    @staticmethod
    def status(
        *,
        case_id: str,
        message_id: str,
        stage: str,
        at: datetime,
        actor: str,
        deadline: datetime | None,
        detail: Mapping[str, str] | None = None,
        event_key: str | None = None,
    ) -> dict[str, Any]:
        """A Status record; its id is ``<message_id>.<stage>``, or ``event_key`` when one
        message causes the same stage more than once (one per adapter, say)."""
        return {
            "event_id": event_key or event_id(message_id, stage),
            "case_id": case_id,
            "message_id": message_id,
            "stage": stage,
            "at": at,
            "actor": actor,
            "deadline": deadline,
            "detail": dict(detail or {}),
        }

    def notice(self, org: str, status: Mapping[str, Any]) -> Output:
        """A lifecycle event signed by the gateway, for a body's inbox (e.g. ``overdue``)."""
        value = self.codec.seal("Status", status, self.signer)
        headers = (("type", b"Status"), ("stage", str(status["stage"]).encode()))
        return Output(inbox_topic(org), str(status["case_id"]).encode(), value, headers)

    def receipt(
        self,
        org: str,
        opened: OpenedMessage,
        *,
        received_at: datetime,
        outcome: str,
        deadline: datetime | None,
    ) -> Output:
        """The gateway's signed receipt to the sender: what it got (hash), when, and outcome."""
        record = opened.record
        receipt = {
            "message_id": record["message_id"],
            "case_id": record["case_id"],
            "body_sha256": opened.body_sha256,
            "received_at": received_at,
            "outcome": outcome,
            "reason": None,
            "deadline": deadline,
        }
        value = self.codec.seal("Receipt", receipt, self.signer)
        headers = (("type", b"Receipt"), ("message_id", str(record["message_id"]).encode()))
        return Output(inbox_topic(org), str(record["case_id"]).encode(), value, headers)

    def rejection(
        self,
        raw: bytes,
        source: Source,
        error: GatewayError,
        *,
        record: Mapping[str, Any] | None,
        at: datetime,
    ) -> list[Output]:
        """The rejected bytes with reason and context, on the rejection topic and to the sender."""
        message_id = _text(record, "message_id")
        case_id = _text(record, "case_id")
        reason = Reason(error.reason) if error.reason in Reason else Reason.INTERNAL
        truncated = len(raw) > MAX_ORIGINAL_BYTES
        rejection = {
            "message_id": message_id,
            "reason": reason.value,
            "message": str(error)
            + (
                f" [original of {len(raw)} bytes cut to its first {MAX_ORIGINAL_BYTES}]"
                if truncated
                else ""
            ),
            "field_path": error.field,
            "original": raw[:MAX_ORIGINAL_BYTES],
            "source_topic": source.topic,
            "source_partition": source.partition,
            "source_offset": source.offset,
            "rejected_at": at,
        }
        key = (case_id or message_id or "").encode() or None
        headers = (
            ("__connect.errors.topic", source.topic.encode()),
            ("__connect.errors.partition", str(source.partition).encode()),
            ("__connect.errors.offset", str(source.offset).encode()),
            ("__connect.errors.exception.class.name", type(error).__name__.encode()),
            ("__connect.errors.exception.message", str(error).encode()),
            ("reason", reason.value.encode()),
            ("field", (error.field or "").encode()),
        )
        out = [Output(REJECTED, key, self.registry.encode_single("Rejection", rejection), headers)]
        if source.org:
            sealed = self.codec.seal("Rejection", rejection, self.signer)
            out.append(
                Output(inbox_topic(source.org), key, sealed, (("type", b"Rejection"), headers[5]))
            )
        return out


def _text(record: Mapping[str, Any] | None, key: str) -> str | None:
    value = (record or {}).get(key)
    return value if isinstance(value, str) and value else None
