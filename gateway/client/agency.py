"""The agency client: what a state body's system uses to send and receive through the gateway.

It builds a message from plain data, fills in what the sender need not type (message id,
case id, time sent, the e-signature requisites from its own certificate), signs it, and
publishes it to the body's outbox with an idempotent producer (acks=all). It reads the
body's inbox, checks the gateway's delivery seal of every record, verifies and decodes the
message, and deduplicates on the message id, so a redelivery after a crash is not handed to
the application twice. A record without a valid seal (planted in the inbox by someone else,
copied from another inbox, altered) is reported as refused, ``not_delivered_by_gateway``.


A long-running client passes a :class:`~gateway.signing.CrlWatch` (``crl_watch``): before it
verifies a fetched batch the client reloads changed CRLs when a check is due (in a thread),
and while the CRLs in force are past their nextUpdate under the fail-closed rule the inbox
raises :class:`~gateway.exceptions.CrlExpiredError` without committing that batch, so it is
read again once a fresh CRL is in place.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from cryptography import x509

from gateway.envelope import (
    MAX_ENVELOPE_BYTES,
    EnvelopeCodec,
    OpenedMessage,
    SealVerifier,
    find_seal,
    routing_headers,
)
from gateway.exceptions import CrlExpiredError, GatewayError, MessageError
from gateway.kafka import KafkaConnection, start_client
from gateway.schemas import SchemaRegistry
from gateway.signing import DEFAULT_GATEWAY_ORG, CrlWatch, Signer, Verifier, serial_hex
from gateway.topics.names import inbox_topic, outbox_topic

__all__ = ["AgencyClient", "InboxItem", "Sent"]

GATEWAY_ORG = DEFAULT_GATEWAY_ORG
_SEEN_LIMIT = 100_000


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """Where a sent message landed."""

    message_id: str
    case_id: str
    topic: str
    partition: int
    offset: int


@dataclasses.dataclass(frozen=True, slots=True)
class InboxItem:
    """One inbox record: the verified message, or the error for which it was refused
    (``error.reason`` ``not_delivered_by_gateway`` when the gateway did not deliver it)."""

    topic: str
    partition: int
    offset: int
    message: OpenedMessage | None
    error: GatewayError | None


class AgencyClient:
    """A body's connection to the exchange; use as ``async with AgencyClient(...) as c``."""

    def __init__(
        self,
        org: str,
        signer: Signer,
        verifier: Verifier,
        *,
        connection: KafkaConnection,
        registry: SchemaRegistry | None = None,
        group_id: str | None = None,
        gateway_org: str = GATEWAY_ORG,
        crl_watch: CrlWatch | None = None,
    ) -> None:
        if crl_watch is not None and crl_watch.verifier is not verifier:
            raise ValueError("crl_watch must watch the CRLs of this client's verifier.")
        self.org = org
        self.signer = signer
        self.verifier = verifier
        self.crl_watch = crl_watch  # reloads ``verifier``'s CRLs; None: the CRLs never change
        self.connection = connection
        self.codec = EnvelopeCodec(registry or SchemaRegistry.load())
        # a body may use only groups named after itself (Kafka ACL: prefix "<org>.")
        self.group_id = group_id or f"{org}.agency"
        self.gateway_org = gateway_org
        self.seals = SealVerifier(verifier, gateway_org=gateway_org)
        leaf = x509.load_der_x509_certificate(signer.chain_der[0])
        self._requisites = {
            "certificate_serial": serial_hex(leaf.serial_number),
            "issuer": leaf.issuer.rfc4514_string(),
        }
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Connect the producer (one connection for the client's life)."""
        producer = self.connection.producer(
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_request_size=MAX_ENVELOPE_BYTES + 64 * 1024,
        )
        await start_client(self.connection, producer)
        self._producer = producer

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def complete(self, kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """``record`` with the fields a sender need not type filled in."""
        out = dict(record)
        out.setdefault("message_id", str(uuid.uuid4()))
        if kind == "Request":
            out.setdefault("case_id", out["message_id"])
        out.setdefault("sent_at", datetime.now(UTC))
        out.setdefault("signature_requisites", dict(self._requisites))
        return out

    def seal(self, kind: str, record: Mapping[str, Any]) -> tuple[dict[str, Any], bytes]:
        """Complete, encode and sign a message; returns the final record and the bytes."""
        full = self.complete(kind, record)
        sender = (full.get("sender") or {}).get("code")
        if sender != self.org:
            raise MessageError(
                f"the message names sender {sender!r} but this client is body {self.org}",
                field="sender.code",
                hint="a body may only send in its own name (its key signs for its own code)",
            )
        return full, self.codec.seal(kind, full, self.signer)

    async def send(self, kind: str, record: Mapping[str, Any]) -> Sent:
        """Sign and publish a message to this body's outbox; returns once Kafka has it."""
        if self._producer is None:
            raise GatewayError("the client is not started", hint="use `async with AgencyClient`")
        full, value = self.seal(kind, record)
        topic = outbox_topic(self.org)
        meta = await self._producer.send_and_wait(
            topic,
            value,
            key=str(full.get("case_id") or full["message_id"]).encode(),
            headers=routing_headers(kind, full),
        )
        return Sent(
            full["message_id"], str(full.get("case_id")), topic, meta.partition, meta.offset
        )

    async def inbox(
        self, *, follow: bool = False, from_beginning: bool = True, idle_ms: int = 2000
    ) -> AsyncGenerator[InboxItem, None]:
        """Read this body's inbox: sealed, verified messages, each message id once.

        Offsets are committed after the consumer of this iterator asks for the next item,
        so an item is acknowledged only once the application has handled it. Without
        ``follow`` the iterator ends when no record arrives for ``idle_ms``. Raises
        :class:`CrlExpiredError` (nothing of the batch committed) while the ``crl_watch``
        holds verification because the CRLs are past their nextUpdate.
        """
        consumer = self.connection.consumer(
            inbox_topic(self.org),
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if from_beginning else "latest",
            fetch_max_bytes=MAX_ENVELOPE_BYTES * 4,
            max_partition_fetch_bytes=MAX_ENVELOPE_BYTES + 64 * 1024,
        )
        await start_client(self.connection, consumer)
        seen: OrderedDict[str, None] = OrderedDict()
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=idle_ms)
                if not batch and not follow:
                    return
                if batch:
                    await self.check_crls()
                for records in batch.values():
                    for rec in records:
                        item = self.open_record(
                            rec.topic, rec.partition, rec.offset, rec.value, rec.headers
                        )
                        mid = _dedupe_key(item)
                        if mid is None or mid not in seen:
                            if mid is not None:
                                seen[mid] = None
                                if len(seen) > _SEEN_LIMIT:
                                    seen.popitem(last=False)
                            yield item
                if batch:
                    await consumer.commit()
        finally:
            await consumer.stop()

    async def check_crls(self) -> None:
        """Reload changed CRLs when a check is due (in a thread); raise CrlExpiredError while
        they hold verification. :meth:`inbox` calls it before verifying each batch."""
        watch = self.crl_watch
        if watch is None:
            return
        if watch.due():
            await asyncio.to_thread(watch.check)
        state = watch.state()
        if state.holds:
            due = state.next_update.isoformat() if state.next_update else "?"
            raise CrlExpiredError(
                f"The CRL {state.next_update_file} was due for renewal at {due} (grace "
                f"{state.grace.total_seconds():.0f} s): inbox items cannot be checked against "
                "a current CRL, so none is accepted.",
                field=state.next_update_file,
                hint="Put the CA's current CRL at that path; the uncommitted items are read "
                "again by the next inbox() call.",
            )

    def open_record(
        self,
        topic: str,
        partition: int,
        offset: int,
        value: bytes | None,
        headers: Iterable[tuple[str, bytes]] | None,
    ) -> InboxItem:
        """Check one inbox record as :meth:`inbox` does (``docs/wire-format.md`` §8.3): a
        well-formed seal, the envelope and its signature, then the seal over this topic, the
        body's message id and the value. Never raises for a bad record: it is refused."""
        data = value or b""
        try:
            seal = self.seals.parse(find_seal(headers))
            opened = self.codec.open(data, self.verifier, expected_org=self.gateway_org)
            message_id = opened.record.get("message_id")
            self.seals.verify(
                seal,
                topic=topic,
                message_id=message_id if isinstance(message_id, str) else "",
                value=data,
            )
        except GatewayError as exc:
            return InboxItem(topic, partition, offset, None, exc)
        return InboxItem(topic, partition, offset, opened, None)


def _dedupe_key(item: InboxItem) -> str | None:
    """What makes an inbox item a repeat: its type and id (the event id for a Status).

    A receipt, a rejection and lifecycle notices all name the sender's message id; only the
    same type with the same id is a repeat delivered again after a gateway restart.
    """
    if item.message is None:
        return None
    record = item.message.record
    ident = record.get("event_id") or record.get("message_id")
    return None if ident is None else f"{item.message.kind}:{ident}"
