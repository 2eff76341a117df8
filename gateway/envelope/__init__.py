"""The signed envelope: how every message travels on the exchange topics.

``EnvelopeCodec.seal`` encodes a body with its schema, signs exactly those bytes and wraps
them; ``EnvelopeCodec.open`` does the reverse and verifies. The byte layout is specified in
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

__all__ = [
    "ENVELOPE_MAGIC",
    "HEADER_NAMES",
    "MAX_ENVELOPE_BYTES",
    "Envelope",
    "EnvelopeCodec",
    "OpenedMessage",
    "headers_dict",
    "routing_headers",
]
