"""What an envelope's signature covers: the canonical signed input of each envelope version.

Version 1 signed the body bytes only, so the schema fingerprint, the algorithm, the signing
time and the certificate could be changed without breaking the signature. Version 2 signs a
short, fixed layout of every value the verifier relies on, in the spirit of CMS signed
attributes: the body enters by its SHA-256 (CMS ``messageDigest``), the signer's certificate
by the SHA-256 of its DER (``ESSCertIDv2``). The layout is specified byte for byte in
``docs/wire-format.md`` §7 and mirrored by the Java client; ``tests/vectors/envelope`` pins it.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime
from enum import IntEnum

__all__ = [
    "ENVELOPE_V2_LABEL",
    "EnvelopeVersion",
    "envelope_v2_signing_input",
    "timestamp_millis",
]

ENVELOPE_V2_LABEL = b"uz.exchange.envelope/2"
_LABEL_PREFIX = struct.pack(">I", len(ENVELOPE_V2_LABEL)) + ENVELOPE_V2_LABEL
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EnvelopeVersion(IntEnum):
    """The ``version`` field of an Envelope: which bytes its signature covers."""

    V1 = 1  # the body bytes only (read until GATEWAY_ENVELOPE_V1_UNTIL)
    V2 = 2  # envelope_v2_signing_input


def timestamp_millis(moment: datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z, as Avro's ``timestamp-millis`` writes them.

    Naive datetimes count as UTC (the registry does the same). Integer arithmetic, so the value
    is exactly the one the envelope carries, whatever the platform's float rounding.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def envelope_v2_signing_input(
    *,
    schema_fingerprint: bytes,
    signature_algorithm: str,
    signed_at_ms: int,
    leaf_certificate_der: bytes,
    body_sha256: bytes,
) -> bytes:
    """The bytes a version-2 envelope's signature is made over (fixed order, no options).

    ::

        u32 22 ‖ "uz.exchange.envelope/2"      label: domain separation and layout version
        8 bytes  schema_fingerprint            names the body's type and version
        u32 n  ‖ signature_algorithm (ASCII)
        i64      signed_at, ms since the epoch, big-endian two's complement
        32 bytes SHA-256(leaf certificate DER)
        32 bytes SHA-256(body)

    Raises ValueError when a fixed-size part has the wrong size or the algorithm is not ASCII
    (the verifier maps that to ``bad_signature``: such an envelope cannot have been signed).
    """
    if len(schema_fingerprint) != 8 or len(body_sha256) != 32:
        raise ValueError("the fingerprint must be 8 bytes and the body digest 32")
    algorithm = signature_algorithm.encode("ascii")
    return b"".join(
        (
            _LABEL_PREFIX,
            bytes(schema_fingerprint),
            struct.pack(">I", len(algorithm)),
            algorithm,
            struct.pack(">q", signed_at_ms),
            hashlib.sha256(leaf_certificate_der).digest(),
            bytes(body_sha256),
        )
    )
