"""Message signatures: signing, verification against a trust store and CRLs, a dev PKI.

Every message is signed by its sending body with :class:`Signer` and checked on arrival by
:class:`Verifier`, which returns a :class:`VerifiedSigner` or raises a subclass of
:class:`gateway.exceptions.SignatureError` whose ``reason`` says which check failed.
Algorithms are looked up by name in a registry; add one with :func:`register_algorithm`.
A :class:`CrlWatch` reloads the CRLs while the process runs and decides the fail-closed rule
for a CRL out of date.
"""

from __future__ import annotations

from gateway.signing.algorithms import DEFAULT_ALGORITHM, SignatureAlgorithm
from gateway.signing.certificates import load_chain_pem, serial_hex
from gateway.signing.crl_watch import CrlFailure, CrlPolicy, CrlState, CrlWatch
from gateway.signing.exceptions import (
    BadCertificateError,
    BadSignatureError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateRevokedError,
    KeyUsageError,
    OrganisationMismatchError,
    SignatureError,
    UnsupportedAlgorithmError,
    UntrustedCertificateError,
)
from gateway.signing.pki import (
    DEFAULT_GATEWAY_ORG,
    REVOCATION_REASONS,
    CrlIssued,
    Identity,
    PkiLayout,
    Revocation,
    init_pki,
    reissue_crl,
    revoke,
)
from gateway.signing.registry import DEFAULT_REGISTRY, AlgorithmRegistry, register_algorithm
from gateway.signing.signer import Signer
from gateway.signing.trust import RevocationSet, TrustStore
from gateway.signing.validated import VerifiedSigner
from gateway.signing.verifier import Verifier

__all__ = [
    "DEFAULT_ALGORITHM",
    "DEFAULT_GATEWAY_ORG",
    "DEFAULT_REGISTRY",
    "REVOCATION_REASONS",
    "AlgorithmRegistry",
    "BadCertificateError",
    "BadSignatureError",
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateRevokedError",
    "CrlFailure",
    "CrlIssued",
    "CrlPolicy",
    "CrlState",
    "CrlWatch",
    "Identity",
    "KeyUsageError",
    "OrganisationMismatchError",
    "PkiLayout",
    "Revocation",
    "RevocationSet",
    "SignatureAlgorithm",
    "SignatureError",
    "Signer",
    "TrustStore",
    "UnsupportedAlgorithmError",
    "UntrustedCertificateError",
    "VerifiedSigner",
    "Verifier",
    "init_pki",
    "load_chain_pem",
    "register_algorithm",
    "reissue_crl",
    "revoke",
    "serial_hex",
]
