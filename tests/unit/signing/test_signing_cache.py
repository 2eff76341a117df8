"""The chain cache speeds verification up without changing any outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.signing import (
    BadCertificateError,
    BadSignatureError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateRevokedError,
    OrganisationMismatchError,
    UnsupportedAlgorithmError,
    UntrustedCertificateError,
)
from gateway.signing.trust import RevocationSet
from tests.unit.signing.factory import (
    NOW,
    ORG,
    OTHER_ORG,
    make_ca,
    make_crl,
    make_leaf,
    make_verifier,
    sign,
)

DATA = b"payload"


def test_cached_chain_still_expires(root):
    issued = make_leaf(root, not_after=NOW + timedelta(days=1))
    verifier = make_verifier(root)
    signature = sign(issued, DATA)
    args = (DATA, signature, "ecdsa-p256-sha256", [issued.der])
    assert verifier.verify(*args, expected_org=ORG, signed_at=NOW, now=NOW).org_code == ORG
    assert verifier.verify(*args, expected_org=ORG, signed_at=NOW, now=NOW).org_code == ORG
    after = NOW + timedelta(days=2)
    with pytest.raises(CertificateExpiredError):
        verifier.verify(*args, expected_org=ORG, signed_at=NOW, now=after)
    with pytest.raises(CertificateExpiredError):
        verifier.verify(*args, expected_org=ORG, signed_at=after, now=after)


def test_cached_chain_is_still_checked_for_not_yet_valid(root):
    issued = make_leaf(root, not_before=NOW)
    verifier = make_verifier(root)
    signature = sign(issued, DATA)
    args = (DATA, signature, "ecdsa-p256-sha256", [issued.der])
    verifier.verify(*args, expected_org=ORG, signed_at=NOW)
    with pytest.raises(CertificateNotYetValidError):
        verifier.verify(*args, expected_org=ORG, signed_at=NOW - timedelta(seconds=1))


def test_repeated_chain_is_validated_once(root, leaf):
    verifier = make_verifier(root)
    first = verifier.validate_chain([leaf.der])
    assert verifier.validate_chain((leaf.der,)) is first


def test_cache_is_bounded_and_stays_correct(root):
    verifier = make_verifier(root, cache_size=2)
    leaves = [make_leaf(root) for _ in range(4)]
    for _ in range(2):
        for issued in leaves:
            signed = verifier.verify(
                DATA,
                sign(issued, DATA),
                "ecdsa-p256-sha256",
                [issued.der],
                expected_org=ORG,
                signed_at=NOW,
            )
            assert int(signed.serial, 16) == issued.cert.serial_number
    info = verifier.cache_info()
    assert (info.size, info.maxsize, info.hits, info.misses) == (2, 2, 0, 8)


def test_cached_failure_is_raised_again_as_a_fresh_error(leaf):
    verifier = make_verifier(make_ca("Another Root"))
    errors = []
    for _ in range(2):
        with pytest.raises(UntrustedCertificateError) as info:
            verifier.validate_chain([leaf.der])
        errors.append(info.value)
    assert errors[0] is not errors[1]
    assert str(errors[0]) == str(errors[1])


def test_garbage_chain_is_rejected_every_time(root):
    verifier = make_verifier(root)
    for _ in range(2):
        with pytest.raises(BadCertificateError):
            verifier.validate_chain([b"junk"])


def test_split_certificate_bytes_do_not_hit_the_cache(root, leaf):
    verifier = make_verifier(root)
    verifier.validate_chain([leaf.der, root.der])
    with pytest.raises(BadCertificateError):
        verifier.validate_chain([leaf.der + root.der])


def test_new_revocations_apply_to_cached_chains(root, leaf):
    verifier = make_verifier(root)
    signature = sign(leaf, DATA)
    args = (DATA, signature, "ecdsa-p256-sha256", [leaf.der])
    verifier.verify(*args, expected_org=ORG, signed_at=NOW)
    crl = make_crl(root, [leaf.cert.serial_number])
    verifier.replace_revocations(RevocationSet.from_crls([("crl", crl)], verifier.trust))
    with pytest.raises(CertificateRevokedError):
        verifier.verify(*args, expected_org=ORG, signed_at=NOW)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"expected_org": OTHER_ORG}, OrganisationMismatchError),
        ({"algorithm": "ed25519"}, UnsupportedAlgorithmError),
        ({"data": DATA + b"!"}, BadSignatureError),
    ],
)
def test_remembered_pair_still_checks_each_message(root, leaf, change, error):
    # the second call takes the (algorithm, chain) shortcut, and must still refuse
    verifier = make_verifier(root)
    first = {"data": DATA, "algorithm": "ecdsa-p256-sha256", "expected_org": ORG}
    signature = sign(leaf, DATA)

    def verify(data, algorithm, expected_org):
        return verifier.verify(
            data, signature, algorithm, (leaf.der,), expected_org=expected_org, signed_at=NOW
        )

    assert verify(**first).org_code == ORG
    assert verify(**first).org_code == ORG
    assert verifier.cache_info().hits >= 1
    with pytest.raises(error):
        verify(**{**first, **change})


def test_clear_cache_forgets_remembered_pairs(root, leaf):
    verifier = make_verifier(root)
    args = (DATA, sign(leaf, DATA), "ecdsa-p256-sha256", [leaf.der])
    verifier.verify(*args, expected_org=ORG, signed_at=NOW)
    verifier.clear_cache()
    verifier.verify(*args, expected_org=ORG, signed_at=NOW)
    assert verifier.cache_info().misses == 2


def test_a_chain_of_buffers_is_verified_and_never_remembered(root, leaf):
    verifier = make_verifier(root)
    signature = sign(leaf, DATA)
    for chain in (
        [memoryview(bytearray(leaf.der))],
        (memoryview(leaf.der),),
        [bytearray(leaf.der)],
    ):
        signed = verifier.verify(
            DATA, signature, "ecdsa-p256-sha256", chain, expected_org=ORG, signed_at=NOW
        )
        assert signed.org_code == ORG
    assert verifier._prepared == {}  # no caller's buffer is kept (or locked) by the verifier
