"""Errors of the schema package, placed in the gateway's one tree (see :mod:`gateway.exceptions`)::

    GatewayError
    ├── ConfigError
    │   └── SpecError
    │       └── SchemaFileError      a .avsc file or the schema folder is wrong; do not start
    └── MessageError
        ├── DecodeError              framing (single-object header) is wrong: malformed_envelope
        │   ├── UnknownSchemaError   no schema with this fingerprint or name: unknown_schema
        │   └── MalformedBodyError   bytes that do not decode, or trailing bytes: malformed_body
        └── EncodeError              a record that does not match its schema: malformed_body

Message errors carry the offending field's dotted path in ``field`` when it is known, and never
echo field values: they may be personal data (item 24).
"""

from __future__ import annotations

from gateway.exceptions import DecodeError, MessageError, SpecError
from gateway.reasons import Reason

__all__ = [
    "EncodeError",
    "MalformedBodyError",
    "SchemaFileError",
    "UnknownSchemaError",
]


class SchemaFileError(SpecError):
    """A schema file does not parse, is misnamed, or the versions of a schema are inconsistent.

    Raised while loading the registry at start; the process must not start with it.
    """


class UnknownSchemaError(DecodeError):
    """No known schema has this fingerprint (or name, or version): the body cannot be read."""

    reason = Reason.UNKNOWN_SCHEMA


class MalformedBodyError(DecodeError):
    """The body's bytes are not a valid encoding under the schema its fingerprint names."""

    reason = Reason.MALFORMED_BODY


class EncodeError(MessageError):
    """A record does not match the schema it is encoded with; ``field`` names where."""

    reason = Reason.MALFORMED_BODY
