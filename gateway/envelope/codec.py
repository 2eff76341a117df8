"""Sealing and opening signed envelopes; the per-message hot path of every process.

Wire layout of a Kafka record value (see ``docs/wire-format.md``)::

    C3 01 | fingerprint of the Envelope schema (8 bytes, little-endian) | Avro(Envelope)

that is Avro *single-object encoding* of the Envelope record, whose ``body`` field holds the
schemaless Avro encoding of the message. The ``signature`` of a version-2 envelope covers the
body's digest together with its fingerprint, the algorithm, the signing time and the signer's
certificate (:func:`~gateway.envelope.signed.envelope_v2_signing_input`); a version-1 envelope's
covers the body bytes only, and is read until ``v1_until``. Schemas are parsed once (the
registry); certificates and chains are cached (the verifier).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from gateway.envelope.signed import EnvelopeVersion, envelope_v2_signing_input, timestamp_millis
from gateway.exceptions import DecodeError
from gateway.reasons import Reason
from gateway.schemas import SINGLE_OBJECT_MAGIC, SchemaRegistry
from gateway.signing import Signer, VerifiedSigner, Verifier

__all__ = [
    "DEFAULT_V1_UNTIL",
    "ENVELOPE_MAGIC",
    "MAX_ENVELOPE_BYTES",
    "Envelope",
    "EnvelopeCodec",
    "OpenedMessage",
]

ENVELOPE_MAGIC = SINGLE_OBJECT_MAGIC  # the Envelope is Avro single-object encoded
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024
# The end of the transition to envelope version 2 (GATEWAY_ENVELOPE_V1_UNTIL): from this moment
# on a version-1 envelope is refused with ``envelope_version_retired``.
DEFAULT_V1_UNTIL = datetime(2027, 7, 1, tzinfo=UTC)
_READ_VERSIONS = frozenset(EnvelopeVersion)


class Envelope(NamedTuple):
    """The decoded wrapper: body bytes, their schema, the signature and the signer's chain.

    A named tuple: immutable, and built for every message at a quarter of a frozen
    dataclass's cost.
    """

    body: bytes
    schema_fingerprint: bytes
    signature_algorithm: str
    signature: bytes
    signed_at: datetime
    certificate_chain: tuple[bytes, ...]
    version: int = EnvelopeVersion.V2

    def signed_bytes(self, body_sha256: bytes | None = None) -> bytes:
        """What the signature must cover: the v2 signing input, or a v1 envelope's body."""
        if self.version == EnvelopeVersion.V1:
            return self.body
        return envelope_v2_signing_input(
            schema_fingerprint=self.schema_fingerprint,
            signature_algorithm=self.signature_algorithm,
            signed_at_ms=timestamp_millis(self.signed_at),
            leaf_certificate_der=self.certificate_chain[0] if self.certificate_chain else b"",
            body_sha256=body_sha256 or hashlib.sha256(self.body).digest(),
        )


@dataclasses.dataclass(slots=True, eq=False)
class OpenedMessage:
    """A verified, decoded message: its type and schema version, the record, who signed it.

    Treat it as immutable; it is not frozen only so that ``body_sha256`` is computed once
    (a frozen dataclass also costs four times as much to build, on every message).
    """

    kind: str
    version: int
    record: dict[str, Any]
    signer: VerifiedSigner
    envelope: Envelope
    _sha256: bytes | None = dataclasses.field(default=None, repr=False)

    @property
    def body_sha256(self) -> bytes:
        """SHA-256 of the signed body bytes (receipts, duplicates); computed once, if asked."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.envelope.body).digest()
        return self._sha256


class EnvelopeCodec:
    """Seals and opens envelopes with one schema registry; build one per process."""

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        max_bytes: int = MAX_ENVELOPE_BYTES,
        v1_until: datetime | None = DEFAULT_V1_UNTIL,
    ) -> None:
        """``v1_until``: from this moment (intake time) version-1 envelopes are refused;
        None reads them for ever (tools that inspect old records)."""
        if v1_until is not None and v1_until.utcoffset() is None:
            raise TypeError("v1_until must be a timezone-aware datetime.")
        self.registry = registry
        self.max_bytes = max_bytes
        self.v1_until = v1_until
        self._envelope_header = SINGLE_OBJECT_MAGIC + registry.fingerprint("Envelope")

    # --- sealing ------------------------------------------------------------------------
    def seal(
        self,
        kind: str,
        record: Mapping[str, Any],
        signer: Signer,
        *,
        now: datetime | None = None,
        version: EnvelopeVersion = EnvelopeVersion.V2,
    ) -> bytes:
        """Encode ``record`` as a ``kind`` body, sign it and wrap it in an envelope.

        Writes version 2 (everything the verifier relies on is signed); ``version=V1`` only
        for tests and vectors of the transition. Raises the registry's encode error (reason
        ``malformed_body``, with the field path) when the record does not match the schema.
        """
        body = self.registry.encode(kind, record)
        signed_at = now or datetime.now(UTC)
        envelope = Envelope(
            body,
            self.registry.fingerprint(kind),
            signer.algorithm,
            b"",
            signed_at.replace(microsecond=signed_at.microsecond // 1000 * 1000),
            signer.chain_der,
            EnvelopeVersion(version),
        )
        fields = envelope._asdict()
        fields["signature"] = signer.sign(envelope.signed_bytes())
        fields["certificate_chain"] = list(envelope.certificate_chain)
        return self.registry.encode_single("Envelope", fields)

    # --- opening ------------------------------------------------------------------------
    def parse(self, data: bytes) -> Envelope:
        """Decode the wrapper without verifying; raises :class:`DecodeError` on bad bytes."""
        if len(data) > self.max_bytes:
            raise DecodeError(
                f"the message is {len(data)} bytes, more than the limit of {self.max_bytes}",
                reason=Reason.MESSAGE_TOO_LARGE,
                hint="send large documents as a claim check (ExternalContent), not inline",
            )
        if data.startswith(self._envelope_header):  # the newest layout: no copy, no look-up
            r = self.registry.decode_at("Envelope", data, len(self._envelope_header))
        else:
            decoded = self.registry.decode_single(data)  # checks the C3 01 marker and fingerprint
            if decoded.name != "Envelope":
                raise DecodeError(
                    f"the single-object marker names a {decoded.name}, not an Envelope",
                    reason=Reason.MALFORMED_ENVELOPE,
                )
            r = decoded.record
        version = r["version"]
        if version not in _READ_VERSIONS:
            raise DecodeError(
                f"envelope layout version {version} is unknown; this gateway reads 2 (and 1)",
                reason=Reason.MALFORMED_ENVELOPE,
                hint="produce envelope version 2 (docs/wire-format.md)",
            )
        signed_at = r["signed_at"]
        return Envelope(
            r["body"],
            r["schema_fingerprint"],
            r["signature_algorithm"],
            r["signature"],
            signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC),
            tuple(r["certificate_chain"]),
            version,
        )

    def open(
        self,
        data: bytes,
        verifier: Verifier,
        *,
        expected_org: str | None = None,
        now: datetime | None = None,
    ) -> OpenedMessage:
        """Decode and verify a sealed message.

        The signer's certificate must carry the sending body's code: ``record.sender.code``,
        or ``expected_org`` for bodies without a sender (the gateway's receipts and
        rejections). The validity of the certificate is checked at the signed ``sent_at`` of
        the body when it has one (the envelope's ``signed_at`` is not covered by the
        signature) and at ``now``. Raises a :class:`~gateway.exceptions.MessageError`
        subclass with the reason code; never a bare library exception.
        """
        envelope = self.parse(data)
        if envelope.version == EnvelopeVersion.V1 and self.v1_until is not None:
            moment = now or datetime.now(UTC)
            if moment >= self.v1_until:
                raise DecodeError(
                    f"envelope version 1 (only the body signed) is no longer accepted since "
                    f"{self.v1_until.isoformat()}",
                    reason=Reason.ENVELOPE_VERSION_RETIRED,
                    field="version",
                    hint="sign envelope version 2 (docs/wire-format.md §7)",
                )
        decoded = self.registry.decode(envelope.schema_fingerprint, envelope.body)
        if decoded.name == "Envelope":
            raise DecodeError(
                "the body is itself an envelope; a body must be a message type",
                reason=Reason.MALFORMED_BODY,
                field="schema_fingerprint",
            )
        record = decoded.record
        sender = record.get("sender")
        org = sender.get("code") if isinstance(sender, dict) else None
        org = org or expected_org
        if not org:
            raise DecodeError(
                f"a {decoded.name} names no sender, and no expected signer was given",
                reason=Reason.MALFORMED_BODY,
                field="sender.code",
            )
        digest: bytes | None = None
        if envelope.version == EnvelopeVersion.V1:  # signed_at is not signed: the body's time
            signed_at = record.get("sent_at") or envelope.signed_at
            if signed_at.tzinfo is None:
                signed_at = signed_at.replace(tzinfo=UTC)
            signed = envelope.body
        else:
            signed_at = envelope.signed_at
            digest = hashlib.sha256(envelope.body).digest()
            signed = envelope.signed_bytes(digest)
        signer = verifier.verify(
            signed,
            envelope.signature,
            envelope.signature_algorithm,
            envelope.certificate_chain,
            expected_org=org,
            signed_at=signed_at,
            now=now,
        )
        return OpenedMessage(decoded.name, decoded.version, record, signer, envelope, digest)
