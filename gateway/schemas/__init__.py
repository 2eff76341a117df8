"""Versioned Avro schemas of every message, and the registry that encodes and decodes bodies.

The schemas live in ``avro/<Name>/v<N>.avsc`` (namespace ``uz.gov.exchange``), each file a
complete schema; a published version never changes, a new one is added beside it and must be
BACKWARD_TRANSITIVE compatible (:func:`check_compatibility`). Load them once at start::

    registry = SchemaRegistry.load()
    body = registry.encode("Request", sample_request())
    decoded = registry.decode(registry.fingerprint("Request"), body)

See ``docs/schemas.md`` for the fields, the regulation items they serve, and the fingerprint.
"""

from __future__ import annotations

from gateway.schemas._catalogue import NAMESPACE, SchemaVersion
from gateway.schemas.evolution import Problem, Rule, check_compatibility, main_check
from gateway.schemas.exceptions import (
    EncodeError,
    MalformedBodyError,
    SchemaFileError,
    UnknownSchemaError,
)
from gateway.schemas.fingerprint import (
    FINGERPRINT_SIZE,
    SINGLE_OBJECT_MAGIC,
    canonical_form,
    fingerprint_as_int,
    schema_fingerprint,
)
from gateway.schemas.registry import DecodedBody, SchemaRegistry

__all__ = [
    "FINGERPRINT_SIZE",
    "NAMESPACE",
    "SINGLE_OBJECT_MAGIC",
    "DecodedBody",
    "EncodeError",
    "MalformedBodyError",
    "Problem",
    "Rule",
    "SchemaFileError",
    "SchemaRegistry",
    "SchemaVersion",
    "UnknownSchemaError",
    "canonical_form",
    "check_compatibility",
    "fingerprint_as_int",
    "main_check",
    "schema_fingerprint",
]
