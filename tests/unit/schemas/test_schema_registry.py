"""The registry's codec: round trips, fingerprints, and every way a body can be wrong."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import pytest

import gateway.schemas
from gateway.exceptions import DecodeError, GatewayError, MessageError
from gateway.reasons import Reason
from gateway.schemas import (
    DecodedBody,
    EncodeError,
    MalformedBodyError,
    SchemaRegistry,
    UnknownSchemaError,
    fingerprint_as_int,
    samples,
    schema_fingerprint,
)

SAMPLES: dict[str, Callable[..., dict[str, Any]]] = {
    "Cancellation": samples.sample_cancellation,
    "Envelope": samples.sample_envelope,
    "Receipt": samples.sample_receipt,
    "Refusal": samples.sample_refusal,
    "Rejection": samples.sample_rejection,
    "Request": samples.sample_request,
    "Response": samples.sample_response,
    "Status": samples.sample_status,
}


def roundtrip(registry: SchemaRegistry, name: str, record: dict[str, Any]) -> DecodedBody:
    return registry.decode(registry.fingerprint(name), registry.encode(name, record))


def test_exports_are_what_they_claim() -> None:
    for name in gateway.schemas.__all__:
        assert hasattr(gateway.schemas, name), name


def test_lookups(registry: SchemaRegistry) -> None:
    assert registry.latest_version("Request") == 1
    assert registry.versions("Request") == (1,)
    assert registry.lookup(registry.fingerprint("Request")).name == "Request"
    with pytest.raises(UnknownSchemaError) as caught:
        registry.latest_version("Nope")
    assert caught.value.reason is Reason.UNKNOWN_SCHEMA
    with pytest.raises(UnknownSchemaError):
        registry.fingerprint("Request", 2)


# -- fingerprints ----------------------------------------------------------------------------


def test_fingerprint_matches_the_avro_specification_vector() -> None:
    """share/test/data/schema-tests.txt of Apache Avro: "null" -> 7195948357588979594."""
    digest = schema_fingerprint("null")
    assert digest.hex() == "8a8f25cce724dd63"
    assert fingerprint_as_int(digest) == 7195948357588979594
    assert fingerprint_as_int(schema_fingerprint("int")) == 8247732601305521295
    fixed = {"type": "fixed", "name": "foo", "size": 15}
    assert fingerprint_as_int(schema_fingerprint(fixed)) == 1756455273707447556


def test_request_v1_fingerprint(registry: SchemaRegistry) -> None:
    """The worked example of docs/schemas.md."""
    digest = registry.fingerprint("Request", 1)
    assert len(digest) == 8
    assert digest == bytes.fromhex("e84252109cff2abd")
    assert digest == schema_fingerprint(registry.schema("Request").definition)


def test_fingerprints_are_distinct(registry: SchemaRegistry) -> None:
    digests = {registry.fingerprint(name) for name in registry.names()}
    assert len(digests) == len(registry.names())


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_round_trips(registry: SchemaRegistry, name: str) -> None:
    record = SAMPLES[name]()
    decoded = roundtrip(registry, name, record)
    latest = registry.latest_version(name)
    assert decoded == DecodedBody(name=name, version=latest, record=record, reader_version=latest)


@pytest.mark.parametrize(
    "record",
    [
        samples.sample_request(applicant={"stir": "309876543", "name": "Nur Savdo MChJ"}),
        samples.sample_request(
            application=samples.sample_attachment(
                b"x" * 2048, external_url="https://store.example.uz/a/1"
            )
        ),
        samples.sample_request(
            applicant={
                **samples.sample_request()["applicant"],
                "patronymic": None,
                "surname": "Каримова",
                "given_name": "Дилноза",
            },
            extra={},
        ),
    ],
    ids=["legal-entity", "claim-check", "cyrillic-no-patronymic"],
)
def test_request_variants_round_trip(registry: SchemaRegistry, record: dict[str, Any]) -> None:
    assert roundtrip(registry, "Request", record).record == record


def test_encode_fills_defaults_and_leaves_the_record_alone(registry: SchemaRegistry) -> None:
    record = samples.sample_request()
    del record["extra"]
    del record["signer"]["patronymic"]
    snapshot = repr(record)
    decoded = roundtrip(registry, "Request", record).record
    assert repr(record) == snapshot  # the union tagging copies, never mutates
    assert decoded["extra"] == {}
    assert decoded["signer"]["patronymic"] is None


def test_documents_kind_round_trips(registry: SchemaRegistry) -> None:
    decision = samples.sample_attachment(b"qaror", document_kind="hokim_decision")
    record = samples.sample_response(documents=[decision, samples.sample_attachment()])
    assert roundtrip(registry, "Response", record).record == record


def test_single_object_encoding(registry: SchemaRegistry) -> None:
    envelope = samples.sample_envelope(
        body=registry.encode("Request", samples.sample_request()),
        schema_fingerprint=registry.fingerprint("Request"),
    )
    framed = registry.encode_single("Envelope", envelope)
    assert framed[:2] == b"\xc3\x01"
    assert framed[2:10] == registry.fingerprint("Envelope")
    decoded = registry.decode_single(framed)
    assert decoded.name == "Envelope"
    assert decoded.record == envelope
    inner = registry.decode(decoded.record["schema_fingerprint"], decoded.record["body"])
    assert inner.record == samples.sample_request()


@pytest.mark.parametrize("data", [b"", b"\xc3", b"\xc3\x01\x00", b"\xc2\x01" + bytes(8) + b"\x00"])
def test_single_object_bad_header(registry: SchemaRegistry, data: bytes) -> None:
    with pytest.raises(DecodeError) as caught:
        registry.decode_single(data)
    assert caught.value.reason is Reason.MALFORMED_ENVELOPE


# -- encoding errors -------------------------------------------------------------------------


def _without(path: list[str | int]) -> dict[str, Any]:
    record = samples.sample_request()
    node: Any = record
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return record


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    record = samples.sample_request()
    node: Any = record
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return record


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (_without(["sender", "code"]), "sender.code"),
        (_without(["requested", 1, "title"]), "requested[1].title"),
        (_without(["application"]), "application"),
        (_with(["sender", "code"], 201234567), "sender.code"),
        (_with(["classification"], "secret"), "classification"),
        (
            _with(["applicant", "identity_document", "kind"], "visa"),
            "applicant.identity_document.kind",
        ),
        (_with(["application", "sha256"], b"short"), "application.sha256"),
        (_with(["application", "size"], "15"), "application.size"),
        (_with(["sent_at"], "2025-03-10"), "sent_at"),
        (_with(["extra", "channel"], 5), "extra.channel"),
        (_with(["signer", "middle_name"], "x"), "signer.middle_name"),
        (_with(["typo_field"], "x"), "typo_field"),
        (_with(["applicant"], {"pinfl": "41405900261239"}), "applicant.surname"),
        (_with(["requested"], "birth_record"), "requested"),
    ],
)
def test_encode_names_the_offending_field(
    registry: SchemaRegistry, record: dict[str, Any], field: str
) -> None:
    with pytest.raises(EncodeError) as caught:
        registry.encode("Request", record)
    assert isinstance(caught.value, MessageError)
    assert caught.value.reason is Reason.MALFORMED_BODY
    assert caught.value.field == field


def test_encode_errors_do_not_quote_personal_data(registry: SchemaRegistry) -> None:
    record = samples.sample_request()
    del record["applicant"]["birth_date"]
    with pytest.raises(EncodeError) as caught:
        registry.encode("Request", record)
    text = str(caught.value)
    assert "Karimova" not in text
    assert "41405900261239" not in text


def test_encode_unknown_schema(registry: SchemaRegistry) -> None:
    with pytest.raises(UnknownSchemaError):
        registry.encode("Petition", {})


# -- decoding errors -------------------------------------------------------------------------


def assert_rejected(
    registry: SchemaRegistry, fingerprint: bytes, data: bytes, reason: Reason
) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        registry.decode(fingerprint, data)
    assert isinstance(caught.value, DecodeError)
    assert caught.value.reason is reason
    return caught.value


def test_every_truncation_is_malformed(registry: SchemaRegistry) -> None:
    fingerprint = registry.fingerprint("Request")
    data = registry.encode("Request", samples.sample_request())
    for end in range(len(data)):
        assert_rejected(registry, fingerprint, data[:end], Reason.MALFORMED_BODY)


def test_trailing_bytes_are_malformed(registry: SchemaRegistry) -> None:
    fingerprint = registry.fingerprint("Status")
    data = registry.encode("Status", samples.sample_status())
    error = assert_rejected(registry, fingerprint, data + b"\x00", Reason.MALFORMED_BODY)
    assert "1 bytes follow" in str(error)


def test_unknown_fingerprint(registry: SchemaRegistry) -> None:
    data = registry.encode("Request", samples.sample_request())
    error = assert_rejected(registry, bytes(8), data, Reason.UNKNOWN_SCHEMA)
    assert error.field == "schema_fingerprint"
    assert_rejected(registry, b"\x01\x02", data, Reason.UNKNOWN_SCHEMA)


def test_body_of_another_schema_under_a_wrong_fingerprint(registry: SchemaRegistry) -> None:
    for name in ("Status", "Receipt", "Envelope", "Response"):
        data = registry.encode(name, SAMPLES[name]())
        assert_rejected(registry, registry.fingerprint("Request"), data, Reason.MALFORMED_BODY)


def test_request_body_under_the_status_fingerprint(registry: SchemaRegistry) -> None:
    data = registry.encode("Request", samples.sample_request())
    assert_rejected(registry, registry.fingerprint("Status"), data, Reason.MALFORMED_BODY)


def test_random_bytes_never_escape_as_library_errors(registry: SchemaRegistry) -> None:
    rng = random.Random(20250310)
    fingerprints = [registry.fingerprint(name) for name in registry.names()]
    valid = registry.encode("Request", samples.sample_request())
    for _ in range(3000):
        if rng.random() < 0.5:
            data = rng.randbytes(rng.randint(0, 300))
        else:
            mutated = bytearray(valid)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.getrandbits(8)
            data = bytes(mutated)
        with contextlib.suppress(MalformedBodyError):  # anything else fails the test
            registry.decode(rng.choice(fingerprints), data)


def test_empty_body(registry: SchemaRegistry) -> None:
    assert_rejected(registry, registry.fingerprint("Request"), b"", Reason.MALFORMED_BODY)


def test_decode_at_reads_from_an_offset(registry: SchemaRegistry) -> None:
    body = registry.encode("Request", samples.sample_request())
    expected = registry.decode(registry.fingerprint("Request"), body).record
    assert registry.decode_at("Request", b"\xc3\x01" + body, 2) == expected
    with pytest.raises(MalformedBodyError, match="follow the end"):
        registry.decode_at("Request", b"\xc3\x01" + body + b"\x00", 2)
    with pytest.raises(MalformedBodyError, match="not a valid Request"):
        registry.decode_at("Request", b"\xc3\x01" + body[:-3], 2)


def test_fingerprint_as_any_bytes_like(registry: SchemaRegistry) -> None:
    body = registry.encode("Request", samples.sample_request())
    fingerprint = registry.fingerprint("Request")
    expected = registry.decode(fingerprint, body)
    for given in (bytearray(fingerprint), memoryview(bytearray(fingerprint))):
        assert registry.decode(given, body) == expected
