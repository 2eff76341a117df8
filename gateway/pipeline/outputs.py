"""What the pipeline writes: forwarded envelopes, signed receipts and notices, events, rejections.

Pure builders: each returns :class:`Output` values (topic, key, value, headers) that the
Faust layer produces with acks=all before it commits the input offset. Events and rejections
are Avro single-object records on topics only the gateway writes; everything that lands in a
body's inbox is a signed envelope (the sender's own, forwarded byte for byte, or the gateway's)
with the gateway's delivery seal (``gateway.envelope.seal``). Every record for an inbox is
built by :meth:`Outputs.output`, which seals it, and :class:`Output` refuses an inbox record
without a seal, so no builder can forget it.

Headers, keys and events carry only codes and identifiers that passed validation; anything
else from a message is masked (``gateway.redaction``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.envelope import EnvelopeCodec, OpenedMessage, routing_headers
from gateway.envelope.seal import INBOX_PREFIX, SEAL_HEADER, Sealer
from gateway.exceptions import GatewayError
from gateway.reasons import Reason
from gateway.redaction import MASK_KEY_LABEL, Masker
from gateway.signing import Signer
from gateway.topics.names import EVENTS, REJECTED, inbox_topic

__all__ = [
    "MAX_ORIGINAL_BYTES",
    "Output",
    "Outputs",
    "Source",
    "event_id",
    "rejection_header_text",
]

MAX_ORIGINAL_BYTES = 4 * 1024 * 1024
"""The operators' rejection carries the original bytes up to the envelope limit; a larger
record (which is rejected as too large) keeps its first 4 MiB, so the rejection fits the topic.
The signer's inbox copy carries no bytes, only the original's SHA-256 and size."""
_MAX_ECHOED_ID = 256  # longer "message ids" are not echoed to the signer either, only masked


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
    """One record to produce. A record for an inbox must carry its delivery seal."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    def __post_init__(self) -> None:
        if self.topic.startswith(INBOX_PREFIX) and all(k != SEAL_HEADER for k, _ in self.headers):
            raise ValueError(
                f"an output for {self.topic} has no {SEAL_HEADER} header: build records for "
                "inboxes with Outputs.output, which seals them"
            )


def event_id(message_id: str, stage: str) -> str:
    """Events have deterministic ids, so a replay after a crash repeats, never adds, an event."""
    return f"{message_id}.{stage}"


def rejection_header_text(error: GatewayError) -> str:
    """The fixed text of a rejection's or dead letter's ``__connect.errors.exception.message``:
    the error's class and reason code, never its message (which may describe the data)."""
    return f"{type(error).__name__}: {error.reason}"


def _iso(value: datetime | None) -> bytes:
    return b"" if value is None else value.isoformat().encode()


class Outputs:
    """Builds the pipeline's outputs; holds the codec and the gateway's signing key."""

    def __init__(self, codec: EnvelopeCodec, signer: Signer) -> None:
        self.codec = codec
        self.registry = codec.registry
        self.signer = signer
        self.sealer = Sealer(signer)
        self.masker = Masker(signer.derive_secret(MASK_KEY_LABEL))

    def output(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        headers: Sequence[tuple[str, bytes]],
        *,
        message_id: str,
    ) -> Output:
        """The one way to build a record that may go to an inbox: one for
        ``exchange.inbox.<code>`` gets the gateway's seal over the topic, ``message_id`` (the
        ``message_id`` of the value's body) and the value; others are left as they are."""
        if topic.startswith(INBOX_PREFIX):
            seal = self.sealer.seal(topic, message_id, value)
            return Output(topic, key, value, (*headers, (SEAL_HEADER, seal)))
        return Output(topic, key, value, tuple(headers))

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
        key, message_id = str(opened.record["case_id"]).encode(), str(opened.record["message_id"])
        return [self.output(t, key, raw, headers, message_id=message_id) for t in topics]

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
        return self.output(
            inbox_topic(org),
            str(status["case_id"]).encode(),
            value,
            headers,
            message_id=str(status["message_id"]),
        )

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
        message_id = str(record["message_id"])
        headers = (("type", b"Receipt"), ("message_id", message_id.encode()))
        key = str(record["case_id"]).encode()
        return self.output(inbox_topic(org), key, value, headers, message_id=message_id)

    def rejection(
        self,
        raw: bytes,
        source: Source,
        error: GatewayError,
        *,
        record: Mapping[str, Any] | None,
        signer: str | None,
        at: datetime,
    ) -> list[Output]:
        """The rejected record for the operators and, if it was authenticated, for its signer.

        ``signer`` is the organisation code of the verified signing certificate, or None when
        the message could not be authenticated (not an envelope, a bad signature, an
        untrusted certificate, ...). Routing rule: the operators' topic always gets the
        Rejection with the original bytes; the signer's inbox, and no other, gets a Rejection
        signed and sealed by the gateway that names the original by SHA-256 and size (the
        signer has the bytes). An unauthenticated message is told to nobody: anyone could
        have written it in anyone's name, and the outbox's owner did not sign it.
        """
        reason = Reason(error.reason) if error.reason in Reason else Reason.INTERNAL
        raw_id = _text(record, "message_id")
        shown_id = self.masker.shown_id(raw_id)
        shown_key = self.masker.shown_id(_text(record, "case_id")) or shown_id
        key = shown_key.encode() if shown_key else None
        common = {
            "reason": reason.value,
            "message": str(error),
            "field_path": error.field,
            "original_sha256": hashlib.sha256(raw).digest(),
            "original_size": len(raw),
            "source_topic": source.topic,
            "source_partition": source.partition,
            "source_offset": source.offset,
            "rejected_at": at,
        }
        truncated = len(raw) > MAX_ORIGINAL_BYTES
        operators = {
            **common,
            "message_id": shown_id,
            "original": raw[:MAX_ORIGINAL_BYTES],
            "message": str(error)
            + (
                f" [original of {len(raw)} bytes cut to its first {MAX_ORIGINAL_BYTES}]"
                if truncated
                else ""
            ),
        }
        headers = (
            ("__connect.errors.topic", source.topic.encode()),
            ("__connect.errors.partition", str(source.partition).encode()),
            ("__connect.errors.offset", str(source.offset).encode()),
            ("__connect.errors.exception.class.name", type(error).__name__.encode()),
            ("__connect.errors.exception.message", rejection_header_text(error).encode()),
            ("reason", reason.value.encode()),
            ("field", (error.field or "").encode()),
        )
        value = self.registry.encode_single("Rejection", operators)
        out = [Output(REJECTED, key, value, headers)]
        if signer is not None:
            echoed = raw_id if raw_id is None or len(raw_id) <= _MAX_ECHOED_ID else shown_id
            copy = {**common, "message_id": echoed, "original": b""}
            sealed = self.codec.seal("Rejection", copy, self.signer)
            inbox_headers = (("type", b"Rejection"), ("reason", reason.value.encode()))
            out.append(
                self.output(
                    inbox_topic(signer), key, sealed, inbox_headers, message_id=echoed or ""
                )
            )
        return out


def _text(record: Mapping[str, Any] | None, key: str) -> str | None:
    value = (record or {}).get(key)
    return value if isinstance(value, str) and value else None
