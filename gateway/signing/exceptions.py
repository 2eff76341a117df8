"""Errors of message signing and verification.

Each class fixes one :class:`~gateway.reasons.Reason`, so the rejection that reaches the
sending body carries a stable code, and the message sentence says what is wrong and how to fix
it. All derive from :class:`gateway.exceptions.SignatureError` (a ``MessageError``: the message
is rejected, never retried)::

    SignatureError
    ├── BadSignatureError              the signature does not match the data and key
    ├── UnsupportedAlgorithmError      unknown algorithm name, or one the signer's key cannot do
    ├── BadCertificateError            a certificate of the chain cannot be parsed or is malformed
    ├── UntrustedCertificateError      the chain does not lead to a trusted root CA
    ├── CertificateExpiredError        a certificate was past not_valid_after
    ├── CertificateNotYetValidError    a certificate was before not_valid_before
    ├── CertificateRevokedError        a certificate is listed in its issuer's CRL
    ├── KeyUsageError                  the leaf may not sign (no digitalSignature, or it is a CA)
    └── OrganisationMismatchError      the leaf names another organisation than the sender

Configuration problems (unreadable trust store, CRL from an untrusted issuer, a key that does
not fit its algorithm when building a signer) raise :class:`gateway.exceptions.ConfigError`.
"""

from __future__ import annotations

from gateway.exceptions import SignatureError
from gateway.reasons import Reason

__all__ = [
    "BadCertificateError",
    "BadSignatureError",
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateRevokedError",
    "KeyUsageError",
    "OrganisationMismatchError",
    "SignatureError",
    "UnsupportedAlgorithmError",
    "UntrustedCertificateError",
]


class BadSignatureError(SignatureError):
    """The signature is malformed or was not made over these exact bytes with the leaf's key."""

    reason = Reason.BAD_SIGNATURE


class UnsupportedAlgorithmError(SignatureError):
    """The algorithm name is not registered, or the certificate's key cannot be used with it."""

    reason = Reason.UNSUPPORTED_ALGORITHM


class BadCertificateError(SignatureError):
    """A certificate of the chain is not valid DER X.509, or the chain is malformed."""

    reason = Reason.BAD_CERTIFICATE


class UntrustedCertificateError(SignatureError):
    """The chain does not link, by names and signatures, to a CA of the trust store."""

    reason = Reason.UNTRUSTED_CERTIFICATE


class CertificateExpiredError(SignatureError):
    """A certificate of the chain had expired at the signing time or at verification time."""

    reason = Reason.CERTIFICATE_EXPIRED


class CertificateNotYetValidError(SignatureError):
    """A certificate of the chain was not yet valid at the signing time or verification time."""

    reason = Reason.CERTIFICATE_NOT_YET_VALID


class CertificateRevokedError(SignatureError):
    """A certificate of the chain is listed in a loaded CRL of its issuer."""

    reason = Reason.CERTIFICATE_REVOKED


class KeyUsageError(SignatureError):
    """The leaf certificate is not allowed to sign messages (no digitalSignature, or a CA)."""

    reason = Reason.KEY_USAGE


class OrganisationMismatchError(SignatureError):
    """The leaf certificate's organisation identifier (STIR) is absent or is not the sender's."""

    reason = Reason.ORGANISATION_MISMATCH
