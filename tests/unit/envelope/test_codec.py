from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.envelope import ENVELOPE_MAGIC, EnvelopeCodec
from gateway.exceptions import DecodeError, GatewayError, MessageError, SignatureError
from gateway.reasons import Reason
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import (
    sample_attachment,
    sample_receipt,
    sample_refusal,
    sample_request,
    sample_response,
)
from gateway.signing import Signer, Verifier

from .conftest import HOLDER, REQUESTER

_now = datetime.now(UTC)
SENT = _now.replace(microsecond=_now.microsecond // 1000 * 1000)  # Avro keeps milliseconds
NOW = SENT + timedelta(minutes=5)

_DIGITS = "0123456789"
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
    min_size=1,
    max_size=40,
)
requests = st.fixed_dictionaries(
    {
        "pinfl": st.text(_DIGITS, min_size=14, max_size=14),
        "surname": _TEXT,
        "given_name": _TEXT,
        "legal_basis": _TEXT,
        "data": st.binary(max_size=2048),
        "extra": st.dictionaries(st.text(max_size=10), _TEXT, max_size=3),
    }
)


def build_request(values: dict[str, object]) -> dict[str, object]:
    record = sample_request(
        sent_at=SENT,
        legal_basis=values["legal_basis"],
        extra=values["extra"],
        application=sample_attachment(values["data"]),  # type: ignore[arg-type]
    )
    applicant = dict(record["applicant"])
    applicant.update(
        pinfl=values["pinfl"], surname=values["surname"], given_name=values["given_name"]
    )
    record["applicant"] = applicant
    return record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=requests)
def test_any_request_round_trips_through_the_envelope(
    values: dict[str, object], codec: EnvelopeCodec, signer: Signer, verifier: Verifier
) -> None:
    record = build_request(values)
    sealed = codec.seal("Request", record, signer)
    opened = codec.open(sealed, verifier, now=NOW)
    assert opened.kind == "Request"
    assert opened.record == record
    assert opened.signer.org_code == REQUESTER


@pytest.fixture(scope="module")
def sealed(codec: EnvelopeCodec, signer: Signer) -> bytes:
    return codec.seal("Request", sample_request(sent_at=SENT), signer)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_flipping_any_bit_of_body_or_signature_is_detected(
    data: st.DataObject,
    codec: EnvelopeCodec,
    sealed: bytes,
    verifier: Verifier,
    registry: SchemaRegistry,
) -> None:
    envelope = codec.parse(sealed)
    field = data.draw(st.sampled_from(["body", "signature"]))
    original = envelope.body if field == "body" else envelope.signature
    bit = data.draw(st.integers(0, len(original) * 8 - 1))
    flipped = bytearray(original)
    flipped[bit // 8] ^= 1 << (bit % 8)
    tampered = _reenvelope(registry, sealed, codec, **{field: bytes(flipped)})
    with pytest.raises(MessageError) as caught:
        codec.open(tampered, verifier, now=NOW)
    # a flip inside the body may break the Avro decoding first, change the sender code, or
    # move the signed sent_at out of the certificate's validity (checked before the signature)
    assert caught.value.reason in {
        Reason.BAD_SIGNATURE,
        Reason.MALFORMED_BODY,
        Reason.ORGANISATION_MISMATCH,
        Reason.CERTIFICATE_NOT_YET_VALID,
        Reason.CERTIFICATE_EXPIRED,
    }


def test_a_body_signed_by_another_body_is_refused(
    codec: EnvelopeCodec, holder_signer: Signer, verifier: Verifier
) -> None:
    # the holder signs a request that names the requester as sender
    sealed = codec.seal("Request", sample_request(sent_at=SENT), holder_signer)
    with pytest.raises(SignatureError) as caught:
        codec.open(sealed, verifier, now=NOW)
    assert caught.value.reason == Reason.ORGANISATION_MISMATCH


def test_response_and_refusal_open_with_the_holder_as_signer(
    codec: EnvelopeCodec, holder_signer: Signer, verifier: Verifier
) -> None:
    for kind, record in (
        ("Response", sample_response(sent_at=SENT)),
        ("Refusal", sample_refusal(sent_at=SENT)),
    ):
        opened = codec.open(codec.seal(kind, record, holder_signer), verifier, now=NOW)
        assert (opened.kind, opened.signer.org_code) == (kind, HOLDER)


def test_a_receipt_needs_the_expected_signer(
    codec: EnvelopeCodec, signer: Signer, verifier: Verifier
) -> None:
    sealed = codec.seal("Receipt", sample_receipt(), signer)
    with pytest.raises(DecodeError, match="no sender"):
        codec.open(sealed, verifier, now=NOW)
    opened = codec.open(sealed, verifier, expected_org=REQUESTER, now=NOW)
    assert opened.kind == "Receipt"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda s: b"", Reason.MALFORMED_ENVELOPE),
        (lambda s: b"\x00\x01garbage", Reason.MALFORMED_ENVELOPE),
        (lambda s: s[: len(s) // 2], Reason.MALFORMED_BODY),
        (lambda s: s + b"\x00", Reason.MALFORMED_BODY),
        (lambda s: ENVELOPE_MAGIC + b"\x01" * 8 + s[10:], Reason.UNKNOWN_SCHEMA),
        (lambda s: ENVELOPE_MAGIC + os.urandom(200), None),
        (lambda s: os.urandom(300), Reason.MALFORMED_ENVELOPE),
    ],
    ids=[
        "empty",
        "no-marker",
        "truncated",
        "trailing",
        "unknown-fingerprint",
        "random-after-marker",
        "random",
    ],
)
def test_malformed_input_raises_the_gateways_own_error(
    make: object,
    reason: Reason | None,
    codec: EnvelopeCodec,
    sealed: bytes,
    verifier: Verifier,
) -> None:
    with pytest.raises(GatewayError) as caught:
        codec.open(make(sealed), verifier, now=NOW)  # type: ignore[operator]
    if reason is not None:
        assert caught.value.reason == reason


def test_a_body_of_another_schema_is_refused(
    codec: EnvelopeCodec, sealed: bytes, verifier: Verifier, registry: SchemaRegistry
) -> None:
    forged = _reenvelope(
        registry, sealed, codec, schema_fingerprint=registry.fingerprint("Cancellation")
    )
    with pytest.raises(MessageError) as caught:
        codec.open(forged, verifier, now=NOW)
    assert caught.value.reason in {
        Reason.MALFORMED_BODY,
        Reason.BAD_SIGNATURE,
        Reason.ORGANISATION_MISMATCH,
    }


def test_an_oversized_message_is_refused_before_decoding(
    registry: SchemaRegistry, sealed: bytes, verifier: Verifier
) -> None:
    small = EnvelopeCodec(registry, max_bytes=len(sealed) - 1)
    with pytest.raises(DecodeError) as caught:
        small.open(sealed, verifier, now=NOW)
    assert caught.value.reason == Reason.MESSAGE_TOO_LARGE


def test_an_expired_certificate_fails_at_intake_time(
    codec: EnvelopeCodec, sealed: bytes, verifier: Verifier
) -> None:
    with pytest.raises(SignatureError) as caught:
        codec.open(sealed, verifier, now=datetime.now(UTC) + timedelta(days=3 * 365))
    assert caught.value.reason == Reason.CERTIFICATE_EXPIRED


def _reenvelope(
    registry: SchemaRegistry, sealed: bytes, codec: EnvelopeCodec, **changes: object
) -> bytes:
    envelope = codec.parse(sealed)
    record: dict[str, object] = {
        "version": envelope.version,
        "body": envelope.body,
        "schema_fingerprint": envelope.schema_fingerprint,
        "signature_algorithm": envelope.signature_algorithm,
        "signature": envelope.signature,
        "signed_at": envelope.signed_at,
        "certificate_chain": list(envelope.certificate_chain),
    }
    record.update(changes)
    return registry.encode_single("Envelope", record)


def test_an_unknown_envelope_version_is_refused(
    codec: EnvelopeCodec, sealed: bytes, verifier: Verifier, registry: SchemaRegistry
) -> None:
    for version in (0, 3, -1):
        with pytest.raises(DecodeError, match=f"version {version} is unknown") as caught:
            codec.open(_reenvelope(registry, sealed, codec, version=version), verifier, now=NOW)
        assert caught.value.reason == Reason.MALFORMED_ENVELOPE


def test_an_envelope_inside_an_envelope_is_refused(
    codec: EnvelopeCodec, sealed: bytes, verifier: Verifier, registry: SchemaRegistry
) -> None:
    inner = codec.parse(sealed)
    nested = _reenvelope(
        registry,
        sealed,
        codec,
        body=sealed[10:],
        schema_fingerprint=registry.fingerprint("Envelope"),
        signature=inner.signature,
    )
    with pytest.raises(DecodeError, match="itself an envelope") as caught:
        codec.open(nested, verifier, now=NOW)
    assert caught.value.reason == Reason.MALFORMED_BODY
