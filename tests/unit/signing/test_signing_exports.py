"""The package exports what it claims, and each error carries its own reason code."""

from __future__ import annotations

from gateway import signing
from gateway.exceptions import SignatureError
from gateway.reasons import Reason
from gateway.signing import exceptions


def test_all_names_exist_and_are_public():
    for name in signing.__all__:
        assert hasattr(signing, name), name
    required = {
        "Signer",
        "Verifier",
        "VerifiedSigner",
        "register_algorithm",
        "init_pki",
        "load_chain_pem",
        "DEFAULT_ALGORITHM",
    }
    assert required <= set(signing.__all__)


def test_every_error_is_a_signature_error_with_its_own_reason():
    classes = [getattr(exceptions, n) for n in exceptions.__all__ if n != "SignatureError"]
    assert all(issubclass(cls, SignatureError) for cls in classes)
    assert all(name in signing.__all__ for name in exceptions.__all__)
    reasons = {cls.reason for cls in classes}
    assert len(reasons) == len(classes)
    assert reasons == {
        Reason.BAD_SIGNATURE,
        Reason.UNSUPPORTED_ALGORITHM,
        Reason.BAD_CERTIFICATE,
        Reason.UNTRUSTED_CERTIFICATE,
        Reason.CERTIFICATE_EXPIRED,
        Reason.CERTIFICATE_NOT_YET_VALID,
        Reason.CERTIFICATE_REVOKED,
        Reason.KEY_USAGE,
        Reason.ORGANISATION_MISMATCH,
    }
    assert all(not cls.retriable for cls in classes)
