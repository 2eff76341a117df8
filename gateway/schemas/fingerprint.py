"""Schema fingerprints: how a body names the schema it was written with.

The fingerprint is the CRC-64-AVRO ("Rabin") fingerprint of the schema's Parsing Canonical Form
(Avro specification, "Schema Fingerprints"). It is a 64-bit value; on the wire it is the eight
bytes of that value in **little-endian** order, exactly as Avro's single-object encoding writes
it and as fastavro's hexadecimal string spells it. Read back as a signed little-endian integer
it equals Java's ``SchemaNormalization.parsingFingerprint64``: for the schema ``"null"`` the
bytes are ``8a 8f 25 cc e7 24 dd 63`` and the integer 7195948357588979594.
"""

from __future__ import annotations

from typing import Any

from fastavro.schema import fingerprint, to_parsing_canonical_form

__all__ = [
    "FINGERPRINT_SIZE",
    "SINGLE_OBJECT_MAGIC",
    "canonical_form",
    "fingerprint_as_int",
    "schema_fingerprint",
]

FINGERPRINT_SIZE = 8
SINGLE_OBJECT_MAGIC = b"\xc3\x01"
"""The two marker bytes that open an Avro single-object encoding, before the fingerprint."""


def canonical_form(schema: Any) -> str:
    """The Parsing Canonical Form of a (raw or parsed) schema: what the fingerprint covers.

    Docs, defaults, aliases and other annotations (``logicalType`` included) are not part of it.
    """
    return to_parsing_canonical_form(schema)


def schema_fingerprint(schema: Any) -> bytes:
    """The 8-byte CRC-64-AVRO fingerprint of ``schema``, little-endian, as carried on the wire."""
    # fastavro spells the value's little-endian bytes in hex (as Java's implementation orders them)
    return bytes.fromhex(fingerprint(canonical_form(schema), "CRC-64-AVRO"))


def fingerprint_as_int(digest: bytes) -> int:
    """The signed 64-bit value of a wire fingerprint, as Java's ``parsingFingerprint64`` gives."""
    return int.from_bytes(digest, "little", signed=True)
