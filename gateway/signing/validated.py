"""The cached outcome of chain validation, and the per-message validity-time check.

A :class:`ValidatedChain` is built once per distinct chain by
:func:`gateway.signing.chain.validate_chain` and reused for every message signed with it;
:func:`check_validity_at` still runs for every message, so caching never lets a certificate
be used outside its validity period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from gateway.signing.exceptions import CertificateExpiredError, CertificateNotYetValidError
from gateway.signing.trust import RevocationKey

__all__ = ["ValidatedChain", "ValidityWindow", "VerifiedSigner", "check_validity_at"]


@dataclass(frozen=True, slots=True)
class VerifiedSigner:
    """Who signed a message whose signature and certificate chain verified.

    ``serial`` is lower-case hex padded to whole bytes; ``issuer`` is the leaf issuer's
    RFC 4514 string; ``fingerprint_sha256`` is the lower-case hex SHA-256 of the leaf's DER.
    """

    org_code: str
    common_name: str
    serial: str
    issuer: str
    fingerprint_sha256: str


@dataclass(frozen=True, slots=True)
class ValidityWindow:
    """The validity period of one certificate of the path, for error messages."""

    label: str
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True, slots=True)
class ValidatedChain:
    """A chain that passed every time-independent check; what the verifier caches.

    ``not_before``/``not_after`` are the intersection of the windows of every certificate of
    the path, trust anchor included; ``revocation_keys`` identify every non-anchor certificate.
    """

    signer: VerifiedSigner
    public_key: CertificatePublicKeyTypes
    not_before: datetime
    not_after: datetime
    windows: tuple[ValidityWindow, ...]
    revocation_keys: frozenset[RevocationKey]
    revocation_labels: tuple[tuple[RevocationKey, str], ...]

    def label_of(self, key: RevocationKey) -> str:
        """Which certificate of the path ``key`` identifies, for error messages."""
        return next((label for k, label in self.revocation_labels if k == key), "certificate")


def check_validity_at(chain: ValidatedChain, moment: datetime, what: str) -> None:
    """Raise if any certificate of the path is not valid at ``moment`` (``what`` names it).

    Raises CertificateExpiredError or CertificateNotYetValidError; bounds are inclusive.
    """
    if chain.not_before <= moment <= chain.not_after:
        return
    for window in chain.windows:
        if moment > window.not_after:
            raise CertificateExpiredError(
                f"The {window.label} expired at {window.not_after.isoformat()}, before "
                f"the {what} {moment.isoformat()}.",
                hint="Renew the certificate and sign again with the new one.",
            )
        if moment < window.not_before:
            raise CertificateNotYetValidError(
                f"The {window.label} is valid only from {window.not_before.isoformat()}, "
                f"after the {what} {moment.isoformat()}.",
                hint="Check the sender's and the gateway's clocks, or wait for the validity.",
            )
