"""Name the branch of every union of records before fastavro writes a record.

Given a plain dict where a union of records is expected (``applicant``: Person or LegalEntity;
``content``: InlineContent or ExternalContent), fastavro validates the dict against every branch
to pick one, which made encoding a Request a third slower. The branches of our unions are told
apart by their field names, so a tagger compiled once per schema picks the branch by the dict's
keys and hands fastavro its ``(full_name, record)`` notation. Records are copied along the way,
never changed in place. When the keys fit no branch or more than one, the dict is left as is
and fastavro decides (or fails with an error that the registry explains).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.schemas._avro import Named, deref, kind_of

__all__ = ["Tagger", "compile_tagger"]

Tagger = Callable[[Any], Any]


def compile_tagger(schema: Any, named: Named) -> Tagger | None:
    """A function that tags union branches in records of ``schema``; ``None`` if none need it."""
    return _compile(schema, named, frozenset())


def _compile(schema: Any, named: Named, stack: frozenset[str]) -> Tagger | None:
    schema = deref(schema, named)
    kind = kind_of(schema)
    if kind == "record":
        return _record(schema, named, stack)
    if kind == "array":
        items = _compile(schema["items"], named, stack)
        return None if items is None else _sequence(items)
    if kind == "map":
        values = _compile(schema["values"], named, stack)
        return None if values is None else _mapping(values)
    if kind == "union":
        return _union(schema, named, stack)
    return None


def _record(schema: dict[str, Any], named: Named, stack: frozenset[str]) -> Tagger | None:
    name = schema["name"]
    if name in stack:  # a recursive type: leave its inner unions to fastavro
        return None
    inner = stack | {name}
    parts = [
        (field["name"], tagger)
        for field in schema["fields"]
        if (tagger := _compile(field["type"], named, inner)) is not None
    ]
    if not parts:
        return None

    def tag_record(datum: Any) -> Any:
        if not isinstance(datum, dict):
            return datum
        copy = dict(datum)
        for field_name, tagger in parts:
            if field_name in copy:
                copy[field_name] = tagger(copy[field_name])
        return copy

    return tag_record


def _sequence(items: Tagger) -> Tagger:
    def tag_items(datum: Any) -> Any:
        if isinstance(datum, (list, tuple)):
            return [items(item) for item in datum]
        return datum

    return tag_items


def _mapping(values: Tagger) -> Tagger:
    def tag_values(datum: Any) -> Any:
        if isinstance(datum, dict):
            return {key: values(value) for key, value in datum.items()}
        return datum

    return tag_values


def _union(branches: list[Any], named: Named, stack: frozenset[str]) -> Tagger | None:
    records = [b for b in (deref(b, named) for b in branches) if kind_of(b) == "record"]
    inner = {record["name"]: _compile(record, named, stack) for record in records}
    if len(records) == 1:
        only = inner[records[0]["name"]]
        if only is None:
            return None
        return lambda datum: only(datum) if isinstance(datum, dict) else datum
    if not records:
        return None
    shapes = [
        (
            record["name"],
            frozenset(field["name"] for field in record["fields"]),
            frozenset(field["name"] for field in record["fields"] if "default" not in field),
        )
        for record in records
    ]

    def tag_union(datum: Any) -> Any:
        if not isinstance(datum, dict):
            return datum
        keys = datum.keys()
        chosen: str | None = None
        for name, fields, required in shapes:
            if required.issubset(keys) and fields.issuperset(keys):
                if chosen is not None:
                    return datum  # ambiguous: fastavro picks the best match itself
                chosen = name
        if chosen is None:
            return datum
        tagger = inner[chosen]
        return chosen, (datum if tagger is None else tagger(datum))

    return tag_union
