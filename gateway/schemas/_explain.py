"""Find where a record departs from its schema, to say so in an :class:`EncodeError`.

fastavro's writer fails with messages that name no path and sometimes quote whole values (which
may be personal data). This walks the record against the schema, only after the writer has
failed, and returns the dotted path of the first mismatch (``requested[1].title``,
``applicant.identity_document.kind``) with a sentence that names types, never values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from gateway.schemas._avro import Named, deref, kind_of, label, logical_type, short_name

__all__ = ["find_mismatch"]

Mismatch = tuple[str, str]
"""(dotted field path, what is wrong)."""


def find_mismatch(datum: Any, schema: Any, named: Named, path: str = "") -> Mismatch | None:
    """The first place where ``datum`` does not fit ``schema``, or ``None`` if none is found."""
    schema = deref(schema, named)
    kind = kind_of(schema)
    check = _COMPLEX.get(kind)
    if check is not None:
        return check(datum, schema, named, path)
    return _primitive(datum, kind, logical_type(schema), path)


def _array(datum: Any, schema: dict[str, Any], named: Named, path: str) -> Mismatch | None:
    if not isinstance(datum, (list, tuple)):
        return path, f"expected a list, got {_type(datum)}"
    for index, item in enumerate(datum):
        found = find_mismatch(item, schema["items"], named, f"{path}[{index}]")
        if found:
            return found
    return None


def _map(datum: Any, schema: dict[str, Any], named: Named, path: str) -> Mismatch | None:
    if not isinstance(datum, Mapping):
        return path, f"expected a mapping, got {_type(datum)}"
    for key, value in datum.items():
        if not isinstance(key, str):
            return path, "map keys must be strings"
        found = find_mismatch(value, schema["values"], named, _join(path, key))
        if found:
            return found
    return None


def _enum(datum: Any, schema: dict[str, Any], named: Named, path: str) -> Mismatch | None:
    if isinstance(datum, str) and datum in schema["symbols"]:
        return None
    return path, f"not a symbol of {label(schema)}: one of {', '.join(schema['symbols'])}"


def _fixed(datum: Any, schema: dict[str, Any], named: Named, path: str) -> Mismatch | None:
    if isinstance(datum, (bytes, bytearray)) and len(datum) == schema["size"]:
        return None
    return path, f"expected exactly {schema['size']} bytes ({label(schema)})"


def _record(datum: Any, schema: dict[str, Any], named: Named, path: str) -> Mismatch | None:
    if not isinstance(datum, Mapping):
        return path, f"expected a record {label(schema)}, got {_type(datum)}"
    fields = {field["name"]: field for field in schema["fields"]}
    for key in datum:
        if key not in fields:
            return _join(path, str(key)), f"no such field in {label(schema)}"
    for name, field in fields.items():
        if name not in datum:
            if "default" in field:
                continue
            return _join(path, name), "missing; the field has no default"
        found = find_mismatch(datum[name], field["type"], named, _join(path, name))
        if found:
            return found
    return None


def _union(datum: Any, branches: list[Any], named: Named, path: str) -> Mismatch | None:
    resolved = [deref(branch, named) for branch in branches]
    if isinstance(datum, tuple) and len(datum) == 2 and isinstance(datum[0], str):
        for branch in resolved:
            if kind_of(branch) in ("record", "enum", "fixed") and datum[0] in (
                branch["name"],
                short_name(branch["name"]),
            ):
                return find_mismatch(datum[1], branch, named, path)
    mismatches: list[tuple[int, Mismatch]] = []
    for branch in resolved:
        found = find_mismatch(datum, branch, named, path)
        if found is None:
            return None
        mismatches.append((_closeness(datum, branch), found))
    best_score, best = max(mismatches, key=lambda item: item[0])
    if best_score > 0:
        return best
    return path, f"expected one of {', '.join(label(b) for b in resolved)}, got {_type(datum)}"


def _closeness(datum: Any, branch: Any) -> int:
    """How plausibly ``datum`` was meant as ``branch``: 0 not at all, more is closer."""
    kind = kind_of(branch)
    if kind == "record" and isinstance(datum, Mapping):
        return 1 + len({f["name"] for f in branch["fields"]} & set(datum))
    if kind == "map" and isinstance(datum, Mapping):
        return 1
    if kind == "array" and isinstance(datum, (list, tuple)):
        return 1
    if kind == "null":
        return 0
    return 1 if _primitive(datum, kind, logical_type(branch), "") is None else 0


def _primitive(datum: Any, kind: str, logical: str | None, path: str) -> Mismatch | None:
    if logical in _TIMESTAMPS and isinstance(datum, datetime):
        return None
    if logical == "date" and isinstance(datum, date) and not isinstance(datum, datetime):
        return None
    check = _PRIMITIVES.get(kind)
    if check is None or check(datum):
        return None  # an unknown type is not checked here: the writer's message stands
    return path, f"expected {logical or kind}, got {_type(datum)}"


def _integer(bound: int) -> Callable[[Any], bool]:
    def check(datum: Any) -> bool:
        return isinstance(datum, int) and not isinstance(datum, bool) and -bound <= datum < bound

    return check


_TIMESTAMPS = frozenset({"timestamp-millis", "timestamp-micros", "local-timestamp-millis"})
_PRIMITIVES: dict[str, Callable[[Any], bool]] = {
    "null": lambda datum: datum is None,
    "boolean": lambda datum: isinstance(datum, bool),
    "int": _integer(2**31),
    "long": _integer(2**63),
    "float": lambda datum: isinstance(datum, (int, float)) and not isinstance(datum, bool),
    "double": lambda datum: isinstance(datum, (int, float)) and not isinstance(datum, bool),
    "string": lambda datum: isinstance(datum, str),
    "bytes": lambda datum: isinstance(datum, (bytes, bytearray)),
}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type(datum: Any) -> str:
    return "null" if datum is None else type(datum).__name__


_Check = Callable[[Any, Any, Named, str], Mismatch | None]
_COMPLEX: dict[str, _Check] = {
    "record": _record,
    "union": _union,
    "array": _array,
    "map": _map,
    "enum": _enum,
    "fixed": _fixed,
}
