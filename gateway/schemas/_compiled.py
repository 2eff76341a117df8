"""Readers generated per writer schema: the body decoder of the hot path.

fastavro's reader walks the schema dict for every value it reads. Here each schema is
turned, once at start, into straight-line Python, then compiled: one function per top-level
record, with nested records written out in place (a call only where a record recurses), the
one- and two-byte varints inlined, and timestamps built with one call. The output equals
fastavro's for the same bytes (a property test holds them to it); schema resolution between
different writer and reader versions stays with fastavro. Malformed bytes raise
:class:`TruncatedError`, ``ValueError`` (bad index, trailing bytes), ``UnicodeDecodeError`` or
``struct.error``, which the registry turns into the gateway's own error. ``IndexError``
happens only when reading past the end.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

__all__ = ["Reader", "TruncatedError", "compile_reader"]


class Reader(Protocol):
    """A generated reader: the record encoded in ``data[start:]``, which it must fill exactly."""

    def __call__(self, data: bytes, start: int = 0) -> Any: ...


class TruncatedError(ValueError):
    """The bytes ended before the value did, or a length was negative."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)
_DOUBLE = struct.Struct("<d").unpack_from
_FLOAT = struct.Struct("<f").unpack_from


def _long_slow(b: bytes, p: int, x: int) -> tuple[int, int]:
    """Continue a varint whose first byte ``x`` had the continuation bit; zigzag-decoded."""
    n = x & 0x7F
    shift = 7
    while True:
        x = b[p]
        p += 1
        n |= (x & 0x7F) << shift
        if not x & 0x80:
            return (n >> 1) ^ -(n & 1), p
        shift += 7
        if shift > 70:
            raise TruncatedError("a varint longer than 10 bytes")


def _timestamp(b: bytes, p: int, x: int, micros: int) -> tuple[datetime, int]:
    """A timestamp whose first varint byte is ``x``, in units of ``micros`` microseconds
    (1000 for timestamp-millis, 1 for timestamp-micros), as an aware UTC datetime."""
    if x & 0x80:
        n, p = _long_slow(b, p, x)
    else:
        n = (x >> 1) ^ -(x & 1)
    return _EPOCH + timedelta(0, 0, n * micros), p


def _length_slow(b: bytes, p: int, x: int) -> tuple[int, int]:
    """A length whose first byte ``x`` continues or is negative; negative lengths are bad."""
    n, p = _long_slow(b, p, x) if x & 0x80 else ((x >> 1) ^ -(x & 1), p)
    if n < 0:
        raise TruncatedError("a negative length")
    return n, p


class _Gen:
    def __init__(self) -> None:
        self.funcs: dict[str, list[str]] = {}
        self.consts: dict[str, Any] = {}
        self.counter = 0
        self.inlining: list[str] = []  # the records being written out, outermost first
        self.blocks = 0  # loops the current line is nested in (Python allows 20 per function)

    def var(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    @staticmethod
    def read_long(lines: list[str], ind: str, target: str) -> None:
        # one byte inline; two bytes inline; longer varints in _long_slow
        lines.append(f"{ind}x = b[p]; p += 1")
        lines.append(f"{ind}if x & 0x80:")
        lines.append(f"{ind}    if b[p] & 0x80: {target}, p = _long_slow(b, p, x)")
        lines.append(f"{ind}    else:")
        lines.append(f"{ind}        x = (x & 0x7F) | (b[p] << 7); p += 1")
        lines.append(f"{ind}        {target} = (x >> 1) ^ -(x & 1)")
        lines.append(f"{ind}else: {target} = (x >> 1) ^ -(x & 1)")

    @staticmethod
    def read_length(lines: list[str], ind: str, target: str) -> None:
        # 0x81: a continuation or a negative value; one or two non-negative bytes inline
        lines.append(f"{ind}x = b[p]; p += 1")
        lines.append(f"{ind}if x & 0x81:")
        lines.append(f"{ind}    if x & 1 or b[p] & 0x80: {target}, p = _length_slow(b, p, x)")
        lines.append(f"{ind}    else: {target} = ((x & 0x7F) | (b[p] << 7)) >> 1; p += 1")
        lines.append(f"{ind}else: {target} = x >> 1")

    def value(self, schema: Any, lines: list[str], ind: str, target: str) -> None:  # noqa: PLR0912 -- one branch per Avro type
        if isinstance(schema, list):
            self.union(schema, lines, ind, target)
            return
        if isinstance(schema, str):
            kind, schema = schema, {"type": schema}
        else:
            kind = schema["type"]
        logical = schema.get("logicalType")
        if kind == "record":
            self.record_value(schema, lines, ind, target)
        elif kind in {"string", "bytes"}:
            n = self.var()
            self.read_length(lines, ind, n)
            tail = ".decode()" if kind == "string" else ""
            lines.append(f"{ind}{target} = b[p:p + {n}]{tail}; p += {n}")
        elif kind == "long" and logical in {"timestamp-millis", "timestamp-micros"}:
            micros = 1000 if logical == "timestamp-millis" else 1
            lines.append(f"{ind}x = b[p]; p += 1")
            lines.append(f"{ind}{target}, p = _timestamp(b, p, x, {micros})")
        elif kind in {"int", "long"}:
            self.read_long(lines, ind, target)
            if logical == "date":
                lines.append(f"{ind}{target} = _EPOCH_DATE + timedelta({target})")
        elif kind == "boolean":
            lines.append(f"{ind}{target} = b[p] == 1; p += 1")
        elif kind == "null":
            lines.append(f"{ind}{target} = None")
        elif kind == "double":
            lines.append(f"{ind}{target} = _DOUBLE(b, p)[0]; p += 8")
        elif kind == "float":
            lines.append(f"{ind}{target} = _FLOAT(b, p)[0]; p += 4")
        elif kind == "enum":
            symbols = self.const(tuple(schema["symbols"]))
            self.read_long(lines, ind, target)
            lines.append(
                f"{ind}if not 0 <= {target} < {len(schema['symbols'])}: "
                "raise ValueError('enum index out of range')"
            )
            lines.append(f"{ind}{target} = {symbols}[{target}]")
        elif kind == "fixed":
            size = int(schema["size"])
            lines.append(f"{ind}{target} = b[p:p + {size}]; p += {size}")
        elif kind in {"array", "map"}:
            self.block(schema, kind, lines, ind, target)
        else:
            raise ValueError(f"cannot compile Avro type {kind!r}")

    def block(self, schema: Any, kind: str, lines: list[str], ind: str, target: str) -> None:
        count, item, key = self.var(), self.var(), self.var()
        lines.append(f"{ind}{target} = {'[]' if kind == 'array' else '{}'}")
        lines.append(f"{ind}while True:")
        inner = ind + "    "
        self.read_long(lines, inner, count)
        lines.append(f"{inner}if {count} == 0: break")
        lines.append(f"{inner}if {count} < 0:")
        lines.append(f"{inner}    {count} = -{count}")
        self.read_long(lines, inner + "    ", "_size")
        lines.append(f"{inner}for _ in range({count}):")
        body = inner + "    "
        self.blocks += 2
        if kind == "array":
            self.value(schema["items"], lines, body, item)
            lines.append(f"{body}{target}.append({item})")
        else:
            self.value("string", lines, body, key)
            self.value(schema["values"], lines, body, item)
            lines.append(f"{body}{target}[{key}] = {item}")
        self.blocks -= 2

    def union(self, branches: list[Any], lines: list[str], ind: str, target: str) -> None:
        index = self.var()
        self.read_long(lines, ind, index)
        for i, branch in enumerate(branches):
            lines.append(f"{ind}{'if' if i == 0 else 'elif'} {index} == {i}:")
            self.value(branch, lines, ind + "    ", target)
        lines.append(f"{ind}else: raise ValueError('union index out of range')")

    def record_value(self, schema: dict[str, Any], lines: list[str], ind: str, target: str) -> None:
        """A nested record: written out in place (no call), or a call if it recurses."""
        name = str(schema["name"])
        if name in self.inlining or self.blocks > _MAX_BLOCKS or len(ind) > _MAX_INDENT:
            # a recursion, or deep enough to near Python's nesting limits: a function of its own
            lines.append(f"{ind}{target}, p = {self.record(schema)}(b, p)")
            return
        self.inlining.append(name)
        self.record_value_fields(schema, lines, ind, target)
        self.inlining.pop()

    def record_value_fields(
        self, schema: dict[str, Any], lines: list[str], ind: str, target: str
    ) -> None:
        """Read every field of ``schema`` in place, then build the record's dict."""
        names = []
        for field in schema["fields"]:
            var = self.var()
            names.append((field["name"], var))
            self.value(field["type"], lines, ind, var)
        items = ", ".join(f"{field!r}: {var}" for field, var in names)
        lines.append(f"{ind}{target} = {{{items}}}")

    def record(self, schema: dict[str, Any]) -> str:
        """The function reading a whole ``schema`` record: ``(record, end) = fn(b, p)``."""
        fn = "r_" + str(schema["name"]).replace(".", "_")
        if fn in self.funcs:
            return fn
        self.funcs[fn] = []  # reserve the name first: recursive schemas refer to it
        outer, self.inlining = self.inlining, []
        blocks, self.blocks = self.blocks, 0
        lines = [f"def {fn}(b, p):"]
        self.inlining.append(str(schema["name"]))
        self.record_value_fields(schema, lines, "    ", "record")
        lines.append("    return record, p")
        self.inlining, self.blocks = outer, blocks
        self.funcs[fn] = lines
        return fn


_MAX_BLOCKS = 12  # loops deep before a nested record gets a function (Python's limit is 20)
_MAX_INDENT = 160  # columns (40 levels) likewise (Python's limit is 100 levels)


def _identity(exc: Exception) -> Exception:
    return exc


def compile_reader(
    parsed: dict[str, Any], on_error: Callable[[Exception], Exception] = _identity
) -> Reader:
    """A function decoding one whole ``parsed`` record (fastavro's parsed, expanded form).

    It raises ``on_error(exc)`` for every failure ``exc`` (by default ``exc`` itself):
    :class:`TruncatedError` when the bytes end early, ``ValueError`` with "trailing" when bytes
    follow the record, and whatever else malformed bytes cause. The whole record is read in
    one generated function (one call per message), the checks included.
    """
    gen = _Gen()
    gen.blocks = 1  # the try below
    lines = ["def read(b, p=0):", "    try:"]
    gen.record_value(_expand(parsed, {}), lines, "        ", "record")
    lines += [
        "    except IndexError:  # only reading b[p] past the end raises it",
        "        raise _fail(TruncatedError('the bytes ended before the record did')) from None",
    ]
    if on_error is not _identity:
        lines += ["    except Exception as exc:", "        raise _fail(exc) from exc"]
    lines += [
        "    if p != len(b):",
        "        if p > len(b):",
        "            raise _fail(TruncatedError('the bytes ended before the record did'))",
        "        raise _fail(ValueError(f'trailing: {len(b) - p} bytes follow the record'))",
        "    return record",
    ]
    gen.funcs["read"] = lines
    source = "\n\n".join("\n".join(lines) for lines in gen.funcs.values())
    namespace: dict[str, Any] = {
        "_long_slow": _long_slow,
        "_length_slow": _length_slow,
        "_timestamp": _timestamp,
        "_EPOCH": _EPOCH,
        "_EPOCH_DATE": _EPOCH_DATE,
        "timedelta": timedelta,
        "_DOUBLE": _DOUBLE,
        "_FLOAT": _FLOAT,
        "TruncatedError": TruncatedError,
        "_fail": on_error,
        **gen.consts,
    }
    exec(compile(source, f"<avro reader {parsed.get('name')}>", "exec"), namespace)  # noqa: S102 -- our own generated code from our own schemas
    read: Reader = namespace["read"]
    return read


def _expand(schema: Any, named: dict[str, Any]) -> Any:  # noqa: PLR0911 -- one per Avro type
    """Inline named references so the generator sees whole definitions."""
    if isinstance(schema, str):
        return named.get(schema, schema)
    if isinstance(schema, list):
        return [_expand(s, named) for s in schema]
    kind = schema.get("type")
    if kind in {"record", "error"}:
        name = schema["name"]
        if name in named:
            return named[name]
        out = dict(schema)
        named[name] = out
        out["type"] = "record"
        out["fields"] = [dict(f, type=_expand(f["type"], named)) for f in schema["fields"]]
        return out
    if kind in {"enum", "fixed"}:
        named[schema["name"]] = schema
        return schema
    if kind == "array":
        return dict(schema, items=_expand(schema["items"], named))
    if kind == "map":
        return dict(schema, values=_expand(schema["values"], named))
    if isinstance(kind, dict | list):
        return _expand(kind, named)
    return schema
