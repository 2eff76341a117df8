"""Every verification outcome of Verifier.verify, each failure with its reason code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.exceptions import SignatureError
from gateway.reasons import Reason
from gateway.signing import VerifiedSigner
from tests.unit.signing.factory import (
    ALGORITHMS,
    NOW,
    ORG,
    OTHER_ORG,
    UZ_STIR_OID,
    body_name,
    make_ca,
    make_cert,
    make_crl,
    make_leaf,
    make_verifier,
    new_key,
    sign,
)

DATA = b'{"request": "certificate of no criminal record", "pinfl": "x"}'


def verify(verifier, issued, data=DATA, signature=None, *, chain=None, algorithm=None, **kw):
    """Verify ``data`` signed by ``issued`` (or the given signature/chain)."""
    algorithm = algorithm or "ecdsa-p256-sha256"
    if signature is None:
        signature = sign(issued, data, algorithm)
    kw.setdefault("expected_org", ORG)
    kw.setdefault("signed_at", NOW)
    return verifier.verify(data, signature, algorithm, chain or [issued.der], **kw)


def reason_of(call) -> Reason:
    with pytest.raises(SignatureError) as info:
        call()
    return info.value.reason


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_valid_signature_returns_the_signer(root, verifier, algorithm):
    issued = make_leaf(root, algorithm=algorithm)
    signer = verify(verifier, issued, algorithm=algorithm)
    assert isinstance(signer, VerifiedSigner)
    assert signer.org_code == ORG
    assert signer.common_name == f"Body {ORG}"
    assert signer.issuer == "CN=Test Root CA"
    assert signer.fingerprint_sha256 == issued.cert.fingerprint(hashes.SHA256()).hex()
    assert int(signer.serial, 16) == issued.cert.serial_number
    assert len(signer.serial) % 2 == 0
    assert signer.serial == signer.serial.lower()


def test_chain_may_include_the_root(root, leaf, verifier):
    assert verify(verifier, leaf, chain=[leaf.der, root.der]).org_code == ORG


def test_chain_with_intermediate_with_and_without_root(root, verifier):
    intermediate = make_cert(body_name(None), new_key(), issuer=root, ca=True, path_length=0)
    issued = make_leaf(intermediate)
    assert verify(verifier, issued, chain=[issued.der, intermediate.der]).org_code == ORG
    assert verify(verifier, issued, chain=[issued.der, intermediate.der, root.der])


def test_tampered_data_is_bad_signature(leaf, verifier):
    signature = sign(leaf, DATA)
    assert reason_of(lambda: verify(verifier, leaf, DATA + b" ", signature)) == (
        Reason.BAD_SIGNATURE
    )


def test_signature_by_another_key_is_bad_signature(root, leaf, verifier):
    other = make_leaf(root)
    signature = sign(other, DATA)
    assert reason_of(lambda: verify(verifier, leaf, signature=signature)) == Reason.BAD_SIGNATURE


@pytest.mark.parametrize("garbage", [b"", b"\x00", b"\x30\x06\x02\x01\x01\x02\x01\x01", b"x" * 72])
def test_garbage_signature_is_bad_signature(leaf, verifier, garbage):
    assert reason_of(lambda: verify(verifier, leaf, signature=garbage)) == Reason.BAD_SIGNATURE


def test_unknown_algorithm_is_unsupported(leaf, verifier):
    call = lambda: verify(verifier, leaf, signature=b"sig", algorithm="gost-2012")  # noqa: E731
    assert reason_of(call) == Reason.UNSUPPORTED_ALGORITHM


def test_algorithm_not_matching_the_key_is_unsupported(leaf, verifier):
    signature = sign(leaf, DATA)
    call = lambda: verify(verifier, leaf, signature=signature, algorithm="ed25519")  # noqa: E731
    assert reason_of(call) == Reason.UNSUPPORTED_ALGORITHM


def test_ecdsa_on_another_curve_is_unsupported(root, verifier):
    issued = make_cert(body_name(), ec.generate_private_key(ec.SECP384R1()), issuer=root)
    signature = issued.key.sign(DATA, ec.ECDSA(hashes.SHA256()))
    assert reason_of(lambda: verify(verifier, issued, signature=signature)) == (
        Reason.UNSUPPORTED_ALGORITHM
    )


def test_expired_certificate(root, verifier):
    issued = make_leaf(root, not_after=NOW - timedelta(days=1))
    reason = reason_of(lambda: verify(verifier, issued, signed_at=NOW - timedelta(days=2)))
    assert reason == Reason.CERTIFICATE_EXPIRED


def test_signed_while_valid_but_expired_now(root, verifier):
    issued = make_leaf(root, not_after=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    assert verify(verifier, issued, now=NOW).org_code == ORG
    assert reason_of(lambda: verify(verifier, issued, now=later)) == Reason.CERTIFICATE_EXPIRED


def test_signed_after_expiry(root, verifier):
    issued = make_leaf(root, not_after=NOW - timedelta(hours=1))
    reason = reason_of(lambda: verify(verifier, issued, now=NOW - timedelta(hours=2)))
    assert reason == Reason.CERTIFICATE_EXPIRED


def test_not_yet_valid_certificate(root, verifier):
    issued = make_leaf(root, not_before=NOW + timedelta(days=1))
    assert reason_of(lambda: verify(verifier, issued)) == Reason.CERTIFICATE_NOT_YET_VALID


def test_expired_root_fails_the_chain(leaf):
    old_root = make_ca("Old Root", not_after=NOW - timedelta(days=1))
    issued = make_leaf(old_root)
    call = lambda: verify(make_verifier(old_root), issued, signed_at=NOW)  # noqa: E731
    assert reason_of(call) == Reason.CERTIFICATE_EXPIRED


def test_validity_bounds_are_inclusive(root, verifier):
    issued = make_leaf(root, not_before=NOW, not_after=NOW + timedelta(seconds=1))
    assert verify(verifier, issued, signed_at=NOW, now=NOW + timedelta(seconds=1))


def test_unknown_ca_is_untrusted(verifier):
    stranger = make_ca("Stranger CA")
    issued = make_leaf(stranger)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.UNTRUSTED_CERTIFICATE
    with_root = [issued.der, stranger.der]
    assert reason_of(lambda: verify(verifier, issued, chain=with_root)) == (
        Reason.UNTRUSTED_CERTIFICATE
    )


def test_ca_with_the_trusted_name_but_another_key_is_untrusted(verifier):
    impostor = make_ca("Test Root CA")
    issued = make_leaf(impostor)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.UNTRUSTED_CERTIFICATE


def test_intermediate_without_ca_flag_cannot_issue(root, leaf, verifier):
    not_a_ca = make_cert(body_name(OTHER_ORG), new_key(), issuer=root)
    issued = make_leaf(not_a_ca)
    call = lambda: verify(verifier, issued, chain=[issued.der, not_a_ca.der])  # noqa: E731
    assert reason_of(call) == Reason.UNTRUSTED_CERTIFICATE


def test_path_length_is_enforced(verifier):
    root = make_ca("Short Root", path_length=0)
    intermediate = make_cert(body_name(None), new_key(), issuer=root, ca=True)
    issued = make_leaf(intermediate)
    chain = [issued.der, intermediate.der]
    assert reason_of(lambda: verify(make_verifier(root), issued, chain=chain)) == (
        Reason.UNTRUSTED_CERTIFICATE
    )


def test_chain_in_wrong_order_is_untrusted(root, verifier):
    intermediate = make_cert(body_name(None), new_key(), issuer=root, ca=True)
    issued = make_leaf(intermediate)
    chain = [issued.der, root.der, intermediate.der]
    assert reason_of(lambda: verify(verifier, issued, chain=chain)) in {
        Reason.UNTRUSTED_CERTIFICATE,
        Reason.BAD_CERTIFICATE,
    }


def test_wrong_organisation(leaf, verifier):
    reason = reason_of(lambda: verify(verifier, leaf, expected_org=OTHER_ORG))
    assert reason == Reason.ORGANISATION_MISMATCH


def test_organisation_from_the_uzbek_stir_oid(root, verifier):
    issued = make_leaf(root, oid=UZ_STIR_OID)
    assert verify(verifier, issued).org_code == ORG


def test_missing_organisation(root, verifier):
    issued = make_leaf(root, org=None)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.ORGANISATION_MISMATCH


def test_leaf_without_digital_signature_usage(root, verifier):
    issued = make_leaf(root, digital_signature=False)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.KEY_USAGE


def test_leaf_without_key_usage_extension(root, verifier):
    issued = make_leaf(root, key_usage=False)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.KEY_USAGE


def test_ca_certificate_may_not_sign_messages(root, verifier):
    issued = make_cert(body_name(), new_key(), issuer=root, ca=True)
    assert reason_of(lambda: verify(verifier, issued)) == Reason.KEY_USAGE


def test_revoked_leaf(root, leaf):
    verifier = make_verifier(root, crls=[make_crl(root, [leaf.cert.serial_number])])
    assert reason_of(lambda: verify(verifier, leaf)) == Reason.CERTIFICATE_REVOKED


def test_revoked_intermediate(root):
    intermediate = make_cert(body_name(None), new_key(), issuer=root, ca=True)
    issued = make_leaf(intermediate)
    verifier = make_verifier(root, crls=[make_crl(root, [intermediate.cert.serial_number])])
    chain = [issued.der, intermediate.der]
    assert reason_of(lambda: verify(verifier, issued, chain=chain)) == (Reason.CERTIFICATE_REVOKED)


def test_same_serial_from_another_issuer_is_not_revoked(root, leaf):
    other_root = make_ca("Other Root")
    crl = make_crl(other_root, [leaf.cert.serial_number])
    verifier = make_verifier(root, other_root, crls=[crl])
    assert verify(verifier, leaf).org_code == ORG


@pytest.mark.parametrize(
    "chain",
    [
        [b"not a certificate"],
        [b""],
        [b"\x30\x82\x01\x00" + b"\x00" * 10],
    ],
)
def test_garbage_certificate_bytes(leaf, verifier, chain):
    call = lambda: verify(verifier, leaf, chain=chain)  # noqa: E731
    assert reason_of(call) == Reason.BAD_CERTIFICATE


def test_garbage_intermediate(leaf, verifier):
    call = lambda: verify(verifier, leaf, chain=[leaf.der, b"junk"])  # noqa: E731
    assert reason_of(call) == Reason.BAD_CERTIFICATE


def test_empty_or_too_long_chain(root, leaf, verifier):
    assert (
        reason_of(
            lambda: verifier.verify(DATA, b"s", "ed25519", [], expected_org=ORG, signed_at=NOW)
        )
        == Reason.BAD_CERTIFICATE
    )
    chain = [leaf.der] + [root.der] * 6
    assert reason_of(lambda: verify(verifier, leaf, chain=chain)) == Reason.BAD_CERTIFICATE


def test_certificates_after_the_root_are_refused(root, leaf, verifier):
    chain = [leaf.der, root.der, root.der]
    assert reason_of(lambda: verify(verifier, leaf, chain=chain)) == Reason.BAD_CERTIFICATE


def test_error_text_says_what_and_how_to_fix(root, verifier):
    issued = make_leaf(root, not_after=NOW - timedelta(days=1))
    with pytest.raises(SignatureError) as info:
        verify(verifier, issued, signed_at=NOW - timedelta(days=2))
    assert "signing certificate expired" in str(info.value)
    assert "Fix:" in str(info.value)


def test_naive_datetimes_are_a_programming_error(leaf, verifier):
    with pytest.raises(TypeError, match="timezone-aware"):
        verify(verifier, leaf, signed_at=NOW.replace(tzinfo=None))
    with pytest.raises(TypeError, match="timezone-aware"):
        verify(verifier, leaf, now=NOW.replace(tzinfo=None))


def test_clock_is_used_when_now_is_not_given(root):
    issued = make_leaf(root, not_after=NOW + timedelta(hours=1))
    late = make_verifier(root, clock=lambda: NOW + timedelta(hours=2))
    assert reason_of(lambda: verify(late, issued)) == Reason.CERTIFICATE_EXPIRED


def test_pem_is_not_accepted_as_der(leaf, verifier):
    pem = leaf.cert.public_bytes(Encoding.PEM)
    assert reason_of(lambda: verify(verifier, leaf, chain=[pem])) == Reason.BAD_CERTIFICATE
