"""Plain JSON to Avro records and back, guided by a schema: the agency-facing text form.

Agency systems and operators write messages as ordinary JSON (``gateway send FILE.json``):
bytes as base64, timestamps as ISO 8601 with an offset, dates as ``YYYY-MM-DD``, a union of
records either as the bare record (when only one branch fits) or wrapped by its type name
(``{"Person": {...}}``). Every mistake is reported with the path of the field, e.g.
``applicant.Person.pinfl: expected a string, got a number``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from gateway.exceptions import ValidationError
from gateway.reasons import Reason

__all__ = ["from_json", "to_json"]

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _fail(path: str, message: str, reason: Reason = Reason.INVALID_FIELD) -> ValidationError:
    return ValidationError(f"{path or '(message)'}: {message}", reason=reason, field=path or None)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class _Converter:
    def __init__(self, named: Mapping[str, Any]) -> None:
        self.named = named

    def resolve(self, schema: Any) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            return self.named[schema]
        return schema

    def convert(self, schema: Any, value: Any, path: str) -> Any:  # noqa: PLR0911 -- one branch per Avro type
        schema = self.resolve(schema)
        if isinstance(schema, list):
            return self.union(schema, value, path)
        kind = schema if isinstance(schema, str) else schema["type"]
        logical = schema.get("logicalType") if isinstance(schema, dict) else None
        if kind == "record":
            return self.record(schema, value, path)
        if kind == "array":
            if not isinstance(value, list):
                raise _fail(path, f"expected a list, got {_kind(value)}")
            return [self.convert(schema["items"], v, f"{path}[{i}]") for i, v in enumerate(value)]
        if kind == "map":
            if not isinstance(value, dict):
                raise _fail(path, f"expected an object, got {_kind(value)}")
            return {k: self.convert(schema["values"], v, f"{path}.{k}") for k, v in value.items()}
        if kind == "enum":
            if value not in schema["symbols"]:
                raise _fail(path, f"{value!r} is not one of {', '.join(schema['symbols'])}")
            return value
        if kind in {"fixed", "bytes"}:
            return self.bytes_(value, path, schema.get("size") if kind == "fixed" else None)
        return self.primitive(kind, logical, value, path)

    def record(self, schema: Mapping[str, Any], value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _fail(path, f"expected an object ({_short(schema['name'])}), got {_kind(value)}")
        known = {f["name"] for f in schema["fields"]}
        for key in value:
            if key not in known:
                raise _fail(
                    f"{path}.{key}".lstrip("."),
                    "unknown field; allowed: " + ", ".join(sorted(known)),
                )
        out: dict[str, Any] = {}
        for field in schema["fields"]:
            name = field["name"]
            sub = f"{path}.{name}".lstrip(".")
            if name in value:
                out[name] = self.convert(field["type"], value[name], sub)
            elif "default" in field:
                out[name] = field["default"]
            else:
                raise _fail(sub, "missing", Reason.MISSING_FIELD)
        return out

    def union(self, branches: list[Any], value: Any, path: str) -> Any:
        resolved = [self.resolve(b) for b in branches]
        if value is None:
            if "null" in resolved:
                return None
            raise _fail(path, "must not be null", Reason.MISSING_FIELD)
        records = {
            _short(b["name"]): b
            for b in resolved
            if isinstance(b, dict) and b.get("type") == "record"
        }
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in records:
            name, inner = next(iter(value.items()))
            schema = records[name]
            return self.record(schema, inner, f"{path}.{name}")
        candidates = [b for b in resolved if b != "null"]
        errors: list[ValidationError] = []
        for branch in candidates:
            try:
                return self.convert(branch, value, path)
            except ValidationError as exc:
                errors.append(exc)
        if isinstance(value, dict) and records:
            # explain with the record branch the object most resembles
            overlap = [
                len(set(value) & {f["name"] for f in b["fields"]})
                if isinstance(b, dict) and b.get("type") == "record"
                else -1
                for b in candidates
            ]
            raise errors[overlap.index(max(overlap))]
        if len(candidates) == 1:
            raise errors[0]
        raise _fail(
            path,
            "matches none of "
            + ", ".join(
                _short(b["name"]) if isinstance(b, dict) and "name" in b else str(b)
                for b in candidates
            ),
        )

    @staticmethod
    def bytes_(value: Any, path: str, size: int | None) -> bytes:
        if not isinstance(value, str):
            raise _fail(path, f"expected base64 text, got {_kind(value)}")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(path, "is not valid base64") from None
        if size is not None and len(data) != size:
            raise _fail(path, f"must be exactly {size} bytes, got {len(data)}")
        return data

    @staticmethod
    def primitive(kind: str, logical: str | None, value: Any, path: str) -> Any:
        if logical in {"timestamp-millis", "timestamp-micros"} and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise _fail(path, f"{value!r} is not an ISO 8601 date-time") from None
            if moment.tzinfo is None:
                raise _fail(path, "needs a UTC offset, e.g. 2026-03-10T09:15:00+05:00")
            return moment.astimezone(UTC)
        if logical == "date" and isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise _fail(path, f"{value!r} is not a date YYYY-MM-DD") from None
        checks: dict[str, tuple[type, ...]] = {
            "string": (str,),
            "int": (int,),
            "long": (int,),
            "float": (int, float),
            "double": (int, float),
            "boolean": (bool,),
            "null": (type(None),),
        }
        ok = isinstance(value, checks[kind]) and not (
            isinstance(value, bool) and kind not in {"boolean"}
        )
        if not ok:
            raise _fail(path, f"expected {kind}, got {_kind(value)}")
        return value


def from_json(schema: Any, value: Any, named: Mapping[str, Any]) -> Any:
    """Convert JSON data to the record fastavro writes for ``schema``.

    ``named`` maps full names of named types to their definitions. Raises
    :class:`ValidationError` with the field path on the first mistake.
    """
    return _Converter(named).convert(schema, value, "")


def to_json(value: Any) -> Any:
    """A decoded record as JSON data: bytes as base64, times as ISO 8601 text."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
