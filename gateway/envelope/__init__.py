"""The signed envelope: how every message travels on the exchange topics.

``EnvelopeCodec.seal`` encodes a body with its schema, signs exactly those bytes and wraps
them; ``EnvelopeCodec.open`` does the reverse and verifies. ``Sealer`` and ``SealVerifier``
add and check the delivery seal every inbox record carries. The byte layout is specified in
``docs/wire-format.md``.
"""

from __future__ import annotations

from gateway.envelope.codec import (
    ENVELOPE_MAGIC,
    MAX_ENVELOPE_BYTES,
    Envelope,
    EnvelopeCodec,
    OpenedMessage,
)
from gateway.envelope.headers import HEADER_NAMES, headers_dict, routing_headers
from gateway.envelope.seal import (
    SEAL_HEADER,
    Seal,
    Sealer,
    SealVerifier,
    decode_seal,
    encode_seal,
    find_seal,
    seal_signing_input,
)

__all__ = [
    "ENVELOPE_MAGIC",
    "HEADER_NAMES",
    "MAX_ENVELOPE_BYTES",
    "SEAL_HEADER",
    "Envelope",
    "EnvelopeCodec",
    "OpenedMessage",
    "Seal",
    "SealVerifier",
    "Sealer",
    "decode_seal",
    "encode_seal",
    "find_seal",
    "headers_dict",
    "routing_headers",
    "seal_signing_input",
]
