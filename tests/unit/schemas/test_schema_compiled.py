"""The generated readers decode exactly what fastavro decodes, and fail only our way."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.exceptions import DecodeError
from gateway.schemas import SchemaRegistry
from gateway.schemas._compiled import TruncatedError, compile_reader
from gateway.schemas.samples import (
    sample_cancellation,
    sample_envelope,
    sample_receipt,
    sample_refusal,
    sample_rejection,
    sample_request,
    sample_response,
    sample_status,
)

SAMPLES: dict[str, Callable[..., dict[str, Any]]] = {
    "Request": sample_request,
    "Response": sample_response,
    "Refusal": sample_refusal,
    "Cancellation": sample_cancellation,
    "Status": sample_status,
    "Receipt": sample_receipt,
    "Rejection": sample_rejection,
    "Envelope": sample_envelope,
}

REGISTRY = SchemaRegistry.load()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_generated_reader_equals_fastavro(name: str) -> None:
    schema = REGISTRY.schema(name).parsed
    body = REGISTRY.encode(name, SAMPLES[name]())
    assert compile_reader(schema)(body) == schemaless_reader(io.BytesIO(body), schema, None)


@settings(max_examples=80, deadline=None)
@given(
    text=st.text(max_size=300),
    data=st.binary(max_size=5000),
    extra=st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=30),
)
def test_long_lengths_and_multibyte_text_equal_fastavro(
    text: str, data: bytes, extra: dict[str, str]
) -> None:
    # lengths over 63 need multi-byte varints; maps over 63 entries need long block counts
    record = sample_request(legal_basis=text or "x", extra=extra)
    record["application"] = dict(record["application"], content={"data": data})
    schema = REGISTRY.schema("Request").parsed
    body = REGISTRY.encode("Request", record)
    assert compile_reader(schema)(body) == schemaless_reader(io.BytesIO(body), schema, None)


@settings(max_examples=300, deadline=None)
@given(garbage=st.binary(max_size=400), name=st.sampled_from(sorted(SAMPLES)))
def test_garbage_raises_only_the_gateways_error(garbage: bytes, name: str) -> None:
    with contextlib.suppress(DecodeError):  # decoding may also succeed: any record is fine
        REGISTRY.decode(REGISTRY.fingerprint(name), garbage)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000), name=st.sampled_from(sorted(SAMPLES)))
def test_every_truncation_is_detected(cut: int, name: str) -> None:
    body = REGISTRY.encode(name, SAMPLES[name]())
    short = body[: cut % len(body)]
    with pytest.raises((TruncatedError, ValueError, UnicodeDecodeError)):
        compile_reader(REGISTRY.schema(name).parsed)(short)


# A schema with every Avro type, a record used twice, and a record that refers to itself
# (written out in place, except where it recurses: then it is a call).
_EVERY_TYPE = parse_schema(
    {
        "type": "record",
        "name": "t.Every",
        "fields": [
            {"name": "i", "type": "int"},
            {"name": "n", "type": "long"},
            {"name": "f", "type": "float"},
            {"name": "d", "type": "double"},
            {"name": "ok", "type": "boolean"},
            {"name": "s", "type": "string"},
            {"name": "raw", "type": "bytes"},
            {"name": "e", "type": {"type": "enum", "name": "t.E", "symbols": ["A", "B", "C"]}},
            {"name": "fx", "type": {"type": "fixed", "name": "t.F", "size": 3}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "m", "type": {"type": "map", "values": "long"}},
            {
                "name": "one",
                "type": {
                    "type": "record",
                    "name": "t.Pair",
                    "fields": [
                        {"name": "k", "type": "string"},
                        {"name": "v", "type": ["null", "long"]},
                    ],
                },
            },
            {"name": "two", "type": "t.Pair"},
            {
                "name": "chain",
                "type": [
                    "null",
                    {
                        "type": "record",
                        "name": "t.Node",
                        "fields": [
                            {"name": "label", "type": "string"},
                            {"name": "next", "type": ["null", "t.Node"]},
                        ],
                    },
                ],
            },
        ],
    }
)
_EVERY_READER = compile_reader(_EVERY_TYPE)

_longs = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_near_varint_edges = st.sampled_from([0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193, 2**20])
_times = st.datetimes(  # hypothesis takes naive bounds and adds the zone
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _node(depth: int) -> dict[str, Any] | None:
    node: dict[str, Any] | None = None
    for i in range(depth):
        node = {"label": f"n{i}", "next": node}
    return node


@settings(max_examples=150, deadline=None)
@given(
    i=st.integers(min_value=-(2**31), max_value=2**31 - 1) | _near_varint_edges,
    n=_longs | _near_varint_edges,
    d=st.floats(allow_nan=False),
    ok=st.booleans(),
    s=st.text(max_size=9000),
    raw=st.binary(max_size=9000),
    e=st.sampled_from(["A", "B", "C"]),
    at=_times,
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    m=st.dictionaries(st.text(max_size=5), _longs, max_size=80),
    v=st.none() | _longs,
    depth=st.integers(min_value=0, max_value=4),
)
def test_every_type_equals_fastavro(  # noqa: PLR0917 -- one argument per generated value
    i: int,
    n: int,
    d: float,
    ok: bool,
    s: str,
    raw: bytes,
    e: str,
    at: datetime,
    day: date,
    m: dict[str, int],
    v: int | None,
    depth: int,
) -> None:
    record = {
        "i": i, "n": n, "f": 1.5, "d": d, "ok": ok, "s": s, "raw": raw, "e": e, "fx": b"abc",
        "at": at.replace(microsecond=at.microsecond // 1000 * 1000), "us": at, "day": day, "m": m,
        "one": {"k": s[:3], "v": v}, "two": {"k": "x", "v": None}, "chain": _node(depth),
    }  # fmt: skip
    buffer = io.BytesIO()
    schemaless_writer(buffer, _EVERY_TYPE, record)
    body = buffer.getvalue()
    expected = schemaless_reader(io.BytesIO(body), _EVERY_TYPE, None)
    assert _EVERY_READER(body) == expected
    assert _EVERY_READER(b"prefix" + body, 6) == expected  # reading from an offset, no copy


def test_negative_lengths_are_refused_in_one_and_two_bytes() -> None:
    # a string of length -1 (zig-zag 0x01) and of length -100 (two bytes: 0xC7 0x01)
    schema = parse_schema(
        {"type": "record", "name": "t.S", "fields": [{"name": "s", "type": "string"}]}
    )
    for body in (b"\x01", b"\xc7\x01abc"):
        with pytest.raises(TruncatedError, match="negative"):
            compile_reader(schema)(body)


def _nested(depth: int, wrap: Callable[[Any], Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "record",
        "name": "t.Leaf",
        "fields": [{"name": "x", "type": "long"}],
    }
    for i in range(depth):
        schema = {
            "type": "record",
            "name": f"t.N{i}",
            "fields": [{"name": "down", "type": wrap(schema)}],
        }
    return parse_schema(schema)


def _value(depth: int, wrap: Callable[[Any], Any]) -> Any:
    value: Any = {"x": 7}
    for _ in range(depth):
        value = {"down": wrap(value)}
    return value


@pytest.mark.parametrize(
    ("depth", "schema_of", "value_of"),
    [
        (10, lambda s: {"type": "array", "items": s}, lambda v: [v]),  # 20 loops deep
        (12, lambda s: {"type": "map", "values": s}, lambda v: {"k": v}),
        (110, lambda s: ["null", s], lambda v: v),  # deeper than Python's 100 indents
    ],
)
def test_deep_nesting_still_compiles(depth: int, schema_of: Any, value_of: Any) -> None:
    schema = _nested(depth, schema_of)
    buffer = io.BytesIO()
    schemaless_writer(buffer, schema, _value(depth, value_of))
    body = buffer.getvalue()
    assert compile_reader(schema)(body) == schemaless_reader(io.BytesIO(body), schema, None)
