"""Dead letters: what an adapter could not deliver within its retry budget, kept for replay.

A dead letter on ``exchange.adapter-dlq.<name>`` is the adapter-topic record, byte for byte
(value, key and headers), plus headers that say why: the error's reason and code, the HTTP
status, the attempts, the first and last attempt times and where the record came from (the
Kafka Connect ``__connect.errors.*`` names, so the usual tooling reads them). No header holds
an error's free text, which may quote the message or the target's answer: the exception
message is the error's class and reason code, and the target's code is kept only when it is
code-shaped (``gateway.redaction.shown_code``). Replaying puts the original record back on the
adapter topic; the target's idempotency key makes a replay of something already delivered
harmless.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from gateway.adapters.message import AdapterMessage
from gateway.exceptions import GatewayError
from gateway.kafka import KafkaConnection
from gateway.pipeline.outputs import Output, rejection_header_text
from gateway.redaction import shown_code
from gateway.topics.names import adapter_dlq_topic, adapter_topic
from gateway.topics.read import read_to_end

__all__ = [
    "DLQ_HEADER_PREFIX",
    "DeadLetter",
    "choose",
    "dead_letter_output",
    "read_letters",
    "replay_output",
    "summary",
]

DLQ_HEADER_PREFIX = "dlq."
_CONNECT = "__connect.errors."


@dataclasses.dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead letter as read back from its topic, for ``gateway dlq list`` and replay."""

    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    timestamp: datetime

    @property
    def info(self) -> dict[str, str]:
        return {k: v.decode("utf-8", "replace") for k, v in self.headers}

    @property
    def ident(self) -> str:
        """The idempotency key of the message (what ``--id`` matches; also the message id)."""
        return self.info.get("dlq.idempotency_key", "")

    @property
    def message_id(self) -> str:
        return self.info.get("dlq.message_id", "")

    @property
    def original_headers(self) -> tuple[tuple[str, bytes], ...]:
        """The headers the record had on the adapter topic, without the dead-letter ones."""
        return tuple(
            (k, v)
            for k, v in self.headers
            if not k.startswith(DLQ_HEADER_PREFIX) and not k.startswith(_CONNECT)
        )


def _iso(value: datetime) -> bytes:
    return value.astimezone(UTC).isoformat().encode()


def dead_letter_output(
    adapter: str,
    message: AdapterMessage,
    error: GatewayError,
    *,
    attempts: int,
    first_attempt: datetime,
    last_attempt: datetime,
    original_headers: tuple[tuple[str, bytes], ...],
) -> Output:
    """The dead-letter record for ``message``, which failed with ``error``."""
    code = shown_code(getattr(error, "code", None))
    status = getattr(error, "status", None)
    headers = (
        *original_headers,
        ("dlq.adapter", adapter.encode()),
        ("dlq.reason", str(error.reason).encode()),
        ("dlq.code", code.encode()),
        ("dlq.status", b"" if status is None else str(status).encode()),
        ("dlq.retriable", b"true" if error.retriable else b"false"),
        ("dlq.attempts", str(attempts).encode()),
        ("dlq.first_attempt_at", _iso(first_attempt)),
        ("dlq.last_attempt_at", _iso(last_attempt)),
        ("dlq.idempotency_key", message.idempotency_key.encode()),
        ("dlq.message_id", message.message_id.encode()),
        ("dlq.kind", message.kind.encode()),
        (f"{_CONNECT}topic", message.topic.encode()),
        (f"{_CONNECT}partition", str(message.partition).encode()),
        (f"{_CONNECT}offset", str(message.offset).encode()),
        (f"{_CONNECT}exception.class.name", type(error).__name__.encode()),
        (f"{_CONNECT}exception.message", rejection_header_text(error).encode()),
    )
    return Output(adapter_dlq_topic(adapter), message.key, message.raw, headers)


def replay_output(adapter: str, letter: DeadLetter, *, at: datetime) -> Output:
    """The original record again on the adapter topic, marked as a replay of ``letter``."""
    headers = (
        *letter.original_headers,
        ("dlq.replayed_from_offset", str(letter.offset).encode()),
        ("dlq.replayed_at", _iso(at)),
    )
    return Output(adapter_topic(adapter), letter.key, letter.value, headers)


def summary(letter: DeadLetter) -> Mapping[str, str]:
    """One line of ``gateway dlq list``: the facts an operator decides on."""
    info = letter.info
    return {
        "offset": str(letter.offset),
        "id": letter.ident,
        "kind": info.get("dlq.kind", ""),
        "reason": info.get("dlq.reason", ""),
        "code": info.get("dlq.code", ""),
        "status": info.get("dlq.status", ""),
        "attempts": info.get("dlq.attempts", ""),
        "last_attempt_at": info.get("dlq.last_attempt_at", ""),
        "error": info.get(f"{_CONNECT}exception.message", ""),
    }


async def read_letters(connection: KafkaConnection, adapter: str) -> list[DeadLetter]:
    """Every dead letter of ``adapter``, oldest first (reads the whole dead-letter topic)."""
    records = await read_to_end(connection, adapter_dlq_topic(adapter))
    return [
        DeadLetter(
            offset=r.offset,
            key=r.key,
            value=r.value or b"",
            headers=tuple((k, bytes(v)) for k, v in r.headers or ()),
            timestamp=datetime.fromtimestamp(r.timestamp / 1000, UTC),
        )
        for r in records
    ]


def choose(letters: Sequence[DeadLetter], ident: str | None) -> list[DeadLetter]:
    """What to replay: the newest letter of message ``ident`` (by idempotency key or message
    id; empty when none matches), or with ``ident`` None the newest letter of every message."""
    if ident is not None:
        return [x for x in letters if ident in {x.ident, x.message_id}][-1:]
    return list({x.ident: x for x in letters}.values())
