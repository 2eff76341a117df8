"""Strict readers for JSON request bodies: each returns the typed value or raises a 400.

Every reader takes the value and its path in the body (``organisation.code``, ``rows[2].body``)
so the error names the field. Objects are closed: a key the contract does not define is an
``unexpected_field``, which keeps clients from sending more (personal) data than needed.
Messages name the field and the rule, never the submitted value.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from gateway.reference.exceptions import ApiError, Code

__all__ = [
    "JsonObject",
    "array",
    "canonical",
    "child",
    "choice",
    "day",
    "fields",
    "fingerprint",
    "integer",
    "item",
    "number",
    "params",
    "parse_json",
    "string",
    "timestamp",
    "utc_iso",
]

JsonObject = dict[str, Any]
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _bad(code: Code, message: str, field: str | None) -> NoReturn:
    raise ApiError(400, code, message, field=field)


def _name(path: str | None) -> str:
    return path if path is not None else "the body"


def child(path: str | None, key: str) -> str:
    """The path of ``key`` inside the object at ``path`` (``None`` is the body itself)."""
    return key if path is None else f"{path}.{key}"


def item(path: str, index: int) -> str:
    """The path of element ``index`` of the array at ``path``."""
    return f"{path}[{index}]"


def _no_constant(name: str) -> NoReturn:
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """Decode a request body; NaN and Infinity are not JSON and are refused like bad syntax."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        _bad(Code.INVALID_JSON, "the body is not a JSON document in UTF-8", None)


def canonical(value: object) -> bytes:
    """The canonical JSON of a value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(method: str, path: str, body: object) -> str:
    """SHA-256 of a request's method, path and canonical body: what an idempotency key binds."""
    return hashlib.sha256(canonical({"method": method, "path": path, "body": body})).hexdigest()


def fields(
    value: object, path: str | None, *, required: Iterable[str], optional: Iterable[str] = ()
) -> JsonObject:
    """The object at ``path``, once it has every ``required`` key and no key outside both sets."""
    if not isinstance(value, dict):
        _bad(Code.INVALID_TYPE, f"{_name(path)} must be a JSON object", path)
    needed = tuple(required)
    known = {*needed, *optional}
    for key in value:
        if key not in known:
            _bad(
                Code.UNEXPECTED_FIELD,
                f"{child(path, key)} is not part of the contract",
                child(path, key),
            )
    for key in needed:
        if key not in value:
            _bad(Code.MISSING_FIELD, f"{child(path, key)} is required", child(path, key))
    return value


def string(
    value: object, path: str, *, pattern: re.Pattern[str] | None = None, max_length: int = 500
) -> str:
    """A non-empty string of at most ``max_length`` characters, matching ``pattern`` if given."""
    if not isinstance(value, str):
        _bad(Code.INVALID_TYPE, f"{path} must be a string", path)
    if not value.strip():
        _bad(Code.INVALID_VALUE, f"{path} must not be empty", path)
    if len(value) > max_length:
        _bad(Code.INVALID_VALUE, f"{path} must be at most {max_length} characters", path)
    if pattern is not None and not pattern.match(value):
        _bad(Code.INVALID_FORMAT, f"{path} does not have the required format", path)
    return value


def choice(value: object, path: str, options: Collection[str]) -> str:
    """One of ``options``."""
    if not isinstance(value, str):
        _bad(Code.INVALID_TYPE, f"{path} must be a string", path)
    if value not in options:
        _bad(Code.INVALID_VALUE, f"{path} must be one of {', '.join(sorted(options))}", path)
    return value


def integer(value: object, path: str, *, minimum: int = 0) -> int:
    """An integer (not a boolean, not 1.0) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        _bad(Code.INVALID_TYPE, f"{path} must be an integer", path)
    if value < minimum:
        _bad(Code.INVALID_VALUE, f"{path} must be at least {minimum}", path)
    return value


def number(value: object, path: str, *, minimum: float = 0.0) -> float:
    """A number (integer or decimal, not a boolean) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        _bad(Code.INVALID_TYPE, f"{path} must be a number", path)
    if value < minimum:
        _bad(Code.INVALID_VALUE, f"{path} must be at least {minimum:g}", path)
    return float(value)


def array(value: object, path: str) -> list[Any]:
    """A JSON array."""
    if not isinstance(value, list):
        _bad(Code.INVALID_TYPE, f"{path} must be an array", path)
    return value


def timestamp(value: object, path: str) -> datetime:
    """An ISO-8601 date and time with a UTC offset (``2025-03-01T09:30:00+05:00`` or ``...Z``)."""
    if not isinstance(value, str):
        _bad(Code.INVALID_TYPE, f"{path} must be a string", path)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or "T" not in value or parsed.tzinfo is None:
        _bad(Code.INVALID_FORMAT, f"{path} must be an ISO-8601 date-time with an offset", path)
    return parsed


def day(value: object, path: str) -> date:
    """A calendar date written ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        _bad(Code.INVALID_TYPE, f"{path} must be a string", path)
    try:
        parsed = date.fromisoformat(value) if _DAY.match(value) else None
    except ValueError:
        parsed = None
    if parsed is None:
        _bad(Code.INVALID_FORMAT, f"{path} must be a date written YYYY-MM-DD", path)
    return parsed


def utc_iso(moment: datetime) -> str:
    """``moment`` in UTC as ISO-8601 with a ``Z`` suffix, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def params(given: Mapping[str, str], allowed: Collection[str]) -> dict[str, str]:
    """The query parameters of a request, once none is outside ``allowed``."""
    for key in given:
        if key not in allowed:
            _bad(
                Code.UNEXPECTED_FIELD,
                f"query parameter {key} is not part of the contract",
                f"query.{key}",
            )
    return dict(given)
