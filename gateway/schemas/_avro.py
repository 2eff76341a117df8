"""Small helpers over fastavro's parsed schemas (full names, named types inline then by name).

A parsed schema is JSON data: a type name string (primitive or the full name of a named type
defined earlier), a list (union), or a dict with ``type``. These helpers are shared by the
registry's error explainer, the union tagger and the compatibility checker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED_KINDS = frozenset({"record", "error", "enum", "fixed"})
_COMPLEX = NAMED_KINDS | {"array", "map"}

Named = dict[str, dict[str, Any]]
"""Named types of one schema by full name."""


def named_types(schema: Any) -> Named:
    """Every named type (record, enum, fixed) defined in ``schema``, by full name."""
    found: Named = {}
    for node in walk(schema):
        if isinstance(node, dict) and node.get("type") in NAMED_KINDS:
            found[node["name"]] = node
    return found


def walk(schema: Any) -> Iterator[Any]:
    """Every schema node of ``schema`` depth-first, each definition once, references as is."""
    yield schema
    if isinstance(schema, list):
        for branch in schema:
            yield from walk(branch)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in ("record", "error"):
            for field in schema["fields"]:
                yield from walk(field["type"])
        elif kind == "array":
            yield from walk(schema["items"])
        elif kind == "map":
            yield from walk(schema["values"])
        elif isinstance(kind, (dict, list)):
            yield from walk(kind)


def deref(schema: Any, named: Named) -> Any:
    """The definition behind a reference to a named type, or ``schema`` itself."""
    while True:
        if isinstance(schema, str) and schema in named:
            return named[schema]
        if isinstance(schema, dict) and not _is_type_keyword(schema.get("type")):
            schema = schema["type"]  # {"type": "uz.gov.exchange.Body"} or {"type": [...]}
            continue
        return schema


def _is_type_keyword(kind: Any) -> bool:
    return isinstance(kind, str) and (kind in PRIMITIVES or kind in _COMPLEX)


def kind_of(schema: Any) -> str:
    """``union``, a primitive name, or ``record``/``enum``/``fixed``/``array``/``map``.

    ``schema`` must already be dereferenced (see :func:`deref`).
    """
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        kind = schema["type"]
        return "record" if kind == "error" else str(kind)
    return str(schema)


def logical_type(schema: Any) -> str | None:
    """The ``logicalType`` annotation of a dereferenced schema, if any."""
    if isinstance(schema, dict):
        value = schema.get("logicalType")
        return str(value) if value is not None else None
    return None


def short_name(full_name: str) -> str:
    """``uz.gov.exchange.Body`` -> ``Body``."""
    return full_name.rsplit(".", 1)[-1]


def label(schema: Any) -> str:
    """A short human label of a dereferenced schema: a type name, e.g. ``Person``, ``string``."""
    kind = kind_of(schema)
    if kind in ("record", "enum", "fixed"):
        return short_name(str(schema["name"]))
    if kind == "union":
        return "union"
    return logical_type(schema) or kind
