"""Envelope version 2: every value the verifier relies on is signed, and v1 has an end date."""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.envelope import EnvelopeCodec
from gateway.envelope.signed import (
    ENVELOPE_V2_LABEL,
    EnvelopeVersion,
    envelope_v2_signing_input,
    timestamp_millis,
)
from gateway.exceptions import DecodeError, MessageError
from gateway.reasons import Reason
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_receipt, sample_request
from gateway.signing import PkiLayout, Signer, Verifier
from gateway.signing._issue import issue_leaf

from .conftest import ISSUED_AT, REQUESTER

_now = datetime.now(UTC)
SENT = _now.replace(microsecond=_now.microsecond // 1000 * 1000)
NOW = SENT + timedelta(minutes=5)
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


@pytest.fixture(scope="module")
def codec(registry: SchemaRegistry) -> EnvelopeCodec:
    return EnvelopeCodec(registry)


@pytest.fixture(scope="module")
def sealed(codec: EnvelopeCodec, signer: Signer) -> bytes:
    return codec.seal("Request", sample_request(sent_at=SENT), signer, now=SENT)


@pytest.fixture(scope="module")
def reissued_leaf(pki: PkiLayout) -> bytes:
    """Another certificate for the same key and organisation: only the certificate differs."""
    ca_key = load_pem_private_key(pki.ca_key.read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    leaf = x509.load_pem_x509_certificate(pki.orgs[REQUESTER].cert.read_bytes())
    other = issue_leaf(
        ca_key,  # type: ignore[arg-type]
        ca_cert,
        leaf.public_key(),  # type: ignore[arg-type]
        org_code=REQUESTER,
        common_name="Reissued",
        organisation_name="Reissued",
        now=ISSUED_AT,
    )
    return other.public_bytes(Encoding.DER)


def _fields(codec: EnvelopeCodec, sealed: bytes) -> dict[str, Any]:
    envelope = codec.parse(sealed)
    fields = envelope._asdict()
    fields["certificate_chain"] = list(envelope.certificate_chain)
    return fields


def _rewrap(registry: SchemaRegistry, fields: dict[str, Any]) -> bytes:
    return registry.encode_single("Envelope", fields)


def test_seal_writes_version_2_and_it_opens(
    codec: EnvelopeCodec, sealed: bytes, verifier: Verifier
) -> None:
    assert codec.parse(sealed).version == EnvelopeVersion.V2
    opened = codec.open(sealed, verifier, now=NOW)
    assert opened.kind == "Request"
    assert opened.body_sha256 == hashlib.sha256(opened.envelope.body).digest()


def test_signing_input_layout_is_the_documented_one() -> None:
    data = envelope_v2_signing_input(
        schema_fingerprint=bytes(range(8)),
        signature_algorithm="ed25519",
        signed_at_ms=1_741_598_102_400,
        leaf_certificate_der=b"leaf",
        body_sha256=bytes(32),
    )
    expected = (
        b"\x00\x00\x00\x16"
        + ENVELOPE_V2_LABEL
        + bytes(range(8))
        + b"\x00\x00\x00\x07ed25519"
        + struct.pack(">q", 1_741_598_102_400)
        + hashlib.sha256(b"leaf").digest()
        + bytes(32)
    )
    assert data == expected
    assert len(data) == 4 + 22 + 8 + 4 + 7 + 8 + 32 + 32


_REGISTRY = SchemaRegistry.load()


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)))  # noqa: DTZ001
def test_timestamp_millis_is_the_value_avro_writes(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    registry = _REGISTRY
    envelope = {
        "version": 2,
        "body": b"",
        "schema_fingerprint": bytes(8),
        "signature_algorithm": "ed25519",
        "signature": b"",
        "signed_at": aware,
        "certificate_chain": [],
    }
    encoded = registry.encode("Envelope", envelope)
    decoded = registry.decode(registry.fingerprint("Envelope"), encoded).record
    assert timestamp_millis(decoded["signed_at"]) == timestamp_millis(aware)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert timestamp_millis(aware) == (aware - epoch) // timedelta(milliseconds=1)


# --- the property: no verified byte can change unnoticed -------------------------------------

_CHANGES = st.one_of(
    st.tuples(st.just("body_byte"), st.integers(min_value=0), st.integers(1, 255)),
    st.tuples(st.just("body_append"), st.binary(min_size=1, max_size=4), st.just(0)),
    st.tuples(st.just("schema_fingerprint"), st.binary(min_size=8, max_size=8), st.just(0)),
    st.tuples(st.just("known_fingerprint"), st.integers(min_value=0), st.just(0)),
    st.tuples(
        st.just("signature_algorithm"),
        st.sampled_from(["ed25519", "rsa-pss-sha256", "ECDSA-P256-SHA256", "ecdsa-p256-sha256 "]),
        st.just(0),
    ),
    # any other millisecond inside the certificate's validity: only the signature can object
    st.tuples(st.just("signed_at"), st.integers(1, 86_400_000), st.just(0)),
    st.tuples(st.just("certificate"), st.just(b""), st.just(0)),
    st.tuples(st.just("version"), st.just(1), st.just(0)),
)


@PROPERTY
@given(change=_CHANGES)
def test_changing_any_verified_value_of_a_v2_envelope_is_detected(  # noqa: PLR0917 -- fixtures
    codec: EnvelopeCodec,
    registry: SchemaRegistry,
    sealed: bytes,
    verifier: Verifier,
    reissued_leaf: bytes,
    change: tuple[str, Any, Any],
) -> None:
    what, value, extra = change
    fields = _fields(codec, sealed)
    must_be_bad_signature = True
    if what == "body_byte":
        body = bytearray(fields["body"])
        body[value % len(body)] ^= extra
        fields["body"] = bytes(body)
        must_be_bad_signature = False  # may already fail to decode (malformed_body)
    elif what == "body_append":
        fields["body"] += value
        must_be_bad_signature = False  # trailing bytes
    elif what == "schema_fingerprint":
        if value == fields["schema_fingerprint"]:
            return
        fields["schema_fingerprint"] = value
        must_be_bad_signature = False  # unknown_schema
    elif what == "known_fingerprint":
        known = [
            registry.fingerprint(name, version)
            for name in registry.names()
            for version in registry.versions(name)
        ]
        known.remove(fields["schema_fingerprint"])
        fields["schema_fingerprint"] = known[value % len(known)]
        must_be_bad_signature = False  # another schema may not decode these bytes
    elif what == "signature_algorithm":
        if value == fields["signature_algorithm"]:
            return
        fields["signature_algorithm"] = value
        must_be_bad_signature = False  # unsupported_algorithm, or a key that does not fit
    elif what == "signed_at":
        fields["signed_at"] = fields["signed_at"] + timedelta(milliseconds=value)
    elif what == "certificate":
        fields["certificate_chain"] = [reissued_leaf, *fields["certificate_chain"][1:]]
    elif what == "version":
        fields["version"] = value
    with pytest.raises(MessageError) as caught:
        codec.open(_rewrap(registry, fields), verifier, now=NOW)
    if must_be_bad_signature:
        assert caught.value.reason == Reason.BAD_SIGNATURE, what


def test_the_same_changes_go_unnoticed_in_v1_which_is_why_it_is_retired(
    codec: EnvelopeCodec,
    registry: SchemaRegistry,
    signer: Signer,
    verifier: Verifier,
    reissued_leaf: bytes,
) -> None:
    v1 = codec.seal(
        "Request", sample_request(sent_at=SENT), signer, now=SENT, version=EnvelopeVersion.V1
    )
    fields = _fields(codec, v1)
    fields["signed_at"] += timedelta(hours=3)
    fields["certificate_chain"] = [reissued_leaf]
    opened = codec.open(_rewrap(registry, fields), verifier, now=NOW)
    assert opened.envelope.version == 1


# --- signing time -----------------------------------------------------------------------


def test_v2_judges_the_certificate_at_the_signed_signing_time(
    codec: EnvelopeCodec, signer: Signer, verifier: Verifier
) -> None:
    # sent_at inside the validity, signed_at after it: v2 trusts the signed signing time
    after = ISSUED_AT + timedelta(days=3 * 365)
    sealed = codec.seal("Request", sample_request(sent_at=SENT), signer, now=after)
    with pytest.raises(MessageError) as caught:
        codec.open(sealed, verifier, now=NOW)
    assert caught.value.reason == Reason.CERTIFICATE_EXPIRED


def test_v1_judges_the_certificate_at_the_bodys_sent_at_not_the_unsigned_signed_at(
    codec: EnvelopeCodec, signer: Signer, verifier: Verifier
) -> None:
    after = ISSUED_AT + timedelta(days=3 * 365)
    sealed = codec.seal(
        "Request",
        sample_request(sent_at=SENT),
        signer,
        now=after,
        version=EnvelopeVersion.V1,
    )
    assert codec.open(sealed, verifier, now=NOW).kind == "Request"
    sent_late = codec.seal(
        "Request",
        sample_request(sent_at=after),
        signer,
        now=SENT,
        version=EnvelopeVersion.V1,
    )
    with pytest.raises(MessageError) as caught:
        codec.open(sent_late, verifier, now=NOW)
    assert caught.value.reason == Reason.CERTIFICATE_EXPIRED


def test_a_receipt_without_sent_at_is_judged_at_its_signed_signing_time(
    codec: EnvelopeCodec, pki: PkiLayout, verifier: Verifier
) -> None:
    gateway = Signer.from_files(pki.gateway.key, pki.gateway.cert)
    sealed = codec.seal("Receipt", sample_receipt(), gateway, now=SENT)
    assert codec.open(sealed, verifier, expected_org="999999999", now=NOW).kind == "Receipt"


# --- the transition ---------------------------------------------------------------------


def test_v1_is_read_until_the_configured_moment_then_refused_with_its_own_reason(
    registry: SchemaRegistry, signer: Signer, verifier: Verifier
) -> None:
    until = NOW + timedelta(seconds=1)
    codec = EnvelopeCodec(registry, v1_until=until)
    v1 = codec.seal(
        "Request", sample_request(sent_at=SENT), signer, now=SENT, version=EnvelopeVersion.V1
    )
    assert codec.open(v1, verifier, now=NOW).envelope.version == 1
    with pytest.raises(DecodeError) as caught:
        codec.open(v1, verifier, now=until)
    assert caught.value.reason == Reason.ENVELOPE_VERSION_RETIRED
    assert caught.value.field == "version"
    v2 = codec.seal("Request", sample_request(sent_at=SENT), signer, now=SENT)
    assert codec.open(v2, verifier, now=until + timedelta(days=1)).kind == "Request"


def test_without_an_end_date_v1_is_read_for_ever(
    registry: SchemaRegistry, signer: Signer, verifier: Verifier
) -> None:
    codec = EnvelopeCodec(registry, v1_until=None)
    v1 = codec.seal(
        "Request", sample_request(sent_at=SENT), signer, now=SENT, version=EnvelopeVersion.V1
    )
    assert codec.open(v1, verifier, now=NOW).kind == "Request"


def test_a_naive_end_date_is_refused(registry: SchemaRegistry) -> None:
    with pytest.raises(TypeError):
        EnvelopeCodec(registry, v1_until=datetime(2027, 1, 1))  # noqa: DTZ001
