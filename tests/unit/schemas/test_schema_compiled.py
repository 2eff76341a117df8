"""The generated readers decode exactly what fastavro decodes, and fail only our way."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastavro import schemaless_reader
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
