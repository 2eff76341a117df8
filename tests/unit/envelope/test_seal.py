"""The delivery seal: what it signs, its header layout, and every way a check must fail."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.envelope import (
    SEAL_HEADER,
    Seal,
    Sealer,
    SealVerifier,
    decode_seal,
    encode_seal,
    find_seal,
    seal_signing_input,
)
from gateway.exceptions import DeliverySealError, MessageError
from gateway.reasons import Reason
from gateway.signing import DEFAULT_GATEWAY_ORG, PkiLayout, Signer, Verifier, init_pki, revoke

from .conftest import HOLDER, ISSUED_AT, REQUESTER

TOPIC = f"exchange.inbox.{HOLDER}"
MESSAGE_ID = "0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01"
VALUE = b"\xc3\x01 an envelope, as the gateway delivered it"
NOW = ISSUED_AT + timedelta(minutes=1)


@pytest.fixture(scope="module")
def gateway(pki: PkiLayout) -> Signer:
    return Signer.from_files(pki.gateway.key, pki.gateway.cert)


@pytest.fixture(scope="module")
def seals(verifier: Verifier) -> SealVerifier:
    return SealVerifier(verifier, gateway_org=DEFAULT_GATEWAY_ORG)


@pytest.fixture(scope="module")
def header(gateway: Signer) -> bytes:
    return Sealer(gateway).seal(TOPIC, MESSAGE_ID, VALUE)


def refused(seals: SealVerifier, header: bytes | None, **read: str | bytes) -> DeliverySealError:
    """The error of checking ``header`` for a record read as ``read`` (default: as sealed)."""
    where = {"topic": TOPIC, "message_id": MESSAGE_ID, "value": VALUE, **read}
    with pytest.raises(DeliverySealError) as caught:
        seals.check(header, now=NOW, **where)  # type: ignore[arg-type]
    assert caught.value.reason == Reason.NOT_DELIVERED_BY_GATEWAY
    assert isinstance(caught.value, MessageError)  # one error tree: a message is refused
    assert caught.value.hint  # and the reader is told what to do
    return caught.value


def test_a_seal_verifies_for_the_record_it_was_made_for(seals: SealVerifier, header: bytes) -> None:
    signer = seals.check(header, topic=TOPIC, message_id=MESSAGE_ID, value=VALUE, now=NOW)
    assert signer.org_code == DEFAULT_GATEWAY_ORG


def test_the_signing_input_binds_label_topic_message_id_and_digest() -> None:
    digest = hashlib.sha256(VALUE).digest()
    data = seal_signing_input(TOPIC, MESSAGE_ID, digest)
    label = b"uz.exchange.delivery-seal/1"
    expected = (
        len(label).to_bytes(4, "big")
        + label
        + len(TOPIC).to_bytes(4, "big")
        + TOPIC.encode()
        + (36).to_bytes(4, "big")
        + MESSAGE_ID.encode()
        + digest
    )
    assert data == expected
    with pytest.raises(ValueError, match="32 bytes"):
        seal_signing_input(TOPIC, MESSAGE_ID, digest[:31])


def test_the_header_carries_version_algorithm_signature_and_chain(
    gateway: Signer, header: bytes
) -> None:
    seal = decode_seal(header)
    assert header[0] == 1
    assert seal.algorithm == gateway.algorithm
    assert seal.chain == gateway.chain_der
    assert encode_seal(*seal) == header
    assert len(seal.signature) >= 64
    assert header.index(seal.signature) == 1 + 4 + len(seal.algorithm) + 4
    # neither the topic nor the message id travels in the header: the reader supplies them
    assert TOPIC.encode() not in header
    assert MESSAGE_ID.encode() not in header


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("topic", f"exchange.inbox.{REQUESTER}"),  # copied into another body's inbox
        ("topic", "exchange.inbox.2023456780"),  # one digit more
        ("message_id", "0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d02"),
        ("message_id", ""),
        ("value", VALUE + b"\x00"),
        ("value", VALUE[:-1]),
        ("value", b"X" + VALUE[1:]),
    ],
)
def test_a_seal_for_another_topic_message_id_or_value_is_refused(
    seals: SealVerifier, header: bytes, field: str, other: str | bytes
) -> None:
    error = refused(seals, header, **{field: other})
    assert "does not cover this record" in error.message


def test_a_record_without_a_seal_is_refused(seals: SealVerifier) -> None:
    error = refused(seals, None)
    assert "no gateway.seal header" in error.message
    assert error.field == SEAL_HEADER


def test_a_seal_by_a_body_instead_of_the_gateway_is_refused(
    seals: SealVerifier, signer: Signer
) -> None:
    # a body's key, validly issued by the same CA, signing exactly what the gateway would
    header = Sealer(signer).seal(TOPIC, MESSAGE_ID, VALUE)
    error = refused(seals, header)
    assert "organisation_mismatch" in error.message
    assert REQUESTER in error.message


def test_a_seal_under_another_gateway_code_is_refused(verifier: Verifier, header: bytes) -> None:
    other = SealVerifier(verifier, gateway_org="999999998")
    assert "organisation_mismatch" in refused(other, header).message


def test_a_seal_from_an_untrusted_ca_is_refused(
    seals: SealVerifier, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # a complete look-alike PKI: same gateway code, a CA the body does not trust
    rogue = init_pki(tmp_path_factory.mktemp("rogue"), [REQUESTER], now=ISSUED_AT)
    header = Sealer(Signer.from_files(rogue.gateway.key, rogue.gateway.cert)).seal(
        TOPIC, MESSAGE_ID, VALUE
    )
    assert "untrusted_certificate" in refused(seals, header).message


def test_a_seal_of_a_revoked_gateway_certificate_is_refused(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki", [HOLDER], now=ISSUED_AT)
    header = Sealer(Signer.from_files(pki.gateway.key, pki.gateway.cert)).seal(
        TOPIC, MESSAGE_ID, VALUE
    )
    fresh = SealVerifier(Verifier.from_paths([pki.ca_cert], [pki.crl]), gateway_org="999999999")
    fresh.check(header, topic=TOPIC, message_id=MESSAGE_ID, value=VALUE, now=NOW)
    revoke(pki.root, DEFAULT_GATEWAY_ORG, now=ISSUED_AT)
    revoked = SealVerifier(Verifier.from_paths([pki.ca_cert], [pki.crl]), gateway_org="999999999")
    assert "certificate_revoked" in refused(revoked, header).message


def test_a_seal_checked_after_the_gateway_certificate_expired_is_refused(
    seals: SealVerifier, header: bytes
) -> None:
    with pytest.raises(DeliverySealError, match="certificate_expired"):
        seals.check(
            header,
            topic=TOPIC,
            message_id=MESSAGE_ID,
            value=VALUE,
            now=datetime(2200, 1, 1, tzinfo=UTC),
        )


def test_an_algorithm_that_does_not_fit_the_key_is_refused(
    seals: SealVerifier, header: bytes
) -> None:
    seal = decode_seal(header)
    relabelled = encode_seal("ed25519", seal.signature, seal.chain)
    assert "unsupported_algorithm" in refused(seals, relabelled).message
    unknown = encode_seal("ecdsa-p256-sha512", seal.signature, seal.chain)
    assert "unsupported_algorithm" in refused(seals, unknown).message


def test_a_signature_moved_from_another_record_is_refused(
    seals: SealVerifier, gateway: Signer
) -> None:
    other = decode_seal(Sealer(gateway).seal(TOPIC, MESSAGE_ID, b"another value"))
    assert "does not cover" in refused(seals, encode_seal(*other)).message


def _header_with(seal: Seal, *, version: int = 1, count: int | None = None) -> bytes:
    raw = encode_seal(*seal)
    out = bytes((version,)) + raw[1:]
    if count is not None:
        at = 1 + 4 + len(seal.algorithm) + 4 + len(seal.signature)
        out = out[:at] + bytes((count,)) + out[at + 1 :]
    return out


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h, s: b"", "empty"),
        (lambda h, s: _header_with(s, version=2), "format 2"),
        (lambda h, s: h[:3], "ends inside the length"),
        (lambda h, s: h[:-1], "longer than the header"),
        (lambda h, s: h + b"\x00", "1 bytes follow"),
        (lambda h, s: _header_with(s, count=0), "names 0 certificates"),
        (lambda h, s: _header_with(s, count=6), "names 6 certificates"),
        (lambda h, s: h[:1] + (0).to_bytes(4, "big") + h[5:], "empty or longer"),
    ],
    ids=["empty", "version", "cut-in-length", "cut-in-chain", "trailing", "no-cert", "six", "zero"],
)
def test_a_malformed_header_is_refused_naming_what_is_wrong(
    seals: SealVerifier, header: bytes, change: object, words: str
) -> None:
    assert callable(change)
    error = refused(seals, change(header, decode_seal(header)))
    assert words in error.message


@given(data=st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(b"\x01".__add__)))
def test_any_bytes_as_a_header_are_refused_never_raised(seals: SealVerifier, data: bytes) -> None:
    refused(seals, data)


def test_two_seal_headers_are_refused_and_other_headers_ignored(header: bytes) -> None:
    assert find_seal([("type", b"Receipt"), (SEAL_HEADER, header)]) == header
    assert find_seal([("type", b"Receipt")]) is None
    assert find_seal(None) is None
    with pytest.raises(DeliverySealError, match=r"2 gateway\.seal headers"):
        find_seal([(SEAL_HEADER, header), (SEAL_HEADER, header)])


def test_only_inbox_topics_are_sealed(gateway: Signer) -> None:
    with pytest.raises(ValueError, match="only inbox topics"):
        Sealer(gateway).seal("exchange.events", MESSAGE_ID, VALUE)


def test_the_chain_is_validated_once_then_served_from_the_cache(
    pki: PkiLayout, header: bytes
) -> None:
    verifier = Verifier.from_paths([pki.ca_cert], [pki.crl])
    seals = SealVerifier(verifier, gateway_org=DEFAULT_GATEWAY_ORG)
    for _ in range(5):
        seals.check(header, topic=TOPIC, message_id=MESSAGE_ID, value=VALUE, now=NOW)
    info = verifier.cache_info()
    assert (info.misses, info.size) == (1, 1)
    assert info.hits >= 4
