"""The trust store (root CAs) and the revocation set built from verified CRLs.

Both are built once at start-up from files and are immutable afterwards; a verifier swaps in
a new :class:`RevocationSet` when CRLs are refreshed. Problems are configuration errors
(:class:`~gateway.exceptions.ConfigError` naming the file): the process must not start with a
trust store or CRL it cannot rely on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import structlog
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.exceptions import ConfigError
from gateway.signing.certificates import load_certificate_files, load_crl_files

__all__ = ["RevocationKey", "RevocationSet", "TrustStore", "issuer_public_key", "revocation_key"]

log = structlog.get_logger(__name__)

_ISSUER_KEY_TYPES = (
    dsa.DSAPublicKey,
    ec.EllipticCurvePublicKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PublicKey,
    rsa.RSAPublicKey,
)

RevocationKey = tuple[str, int]
"""``(issuer as RFC 4514 string, serial number)``: how a revoked certificate is looked up."""


def revocation_key(issuer: x509.Name, serial: int) -> RevocationKey:
    """The lookup key of the certificate with ``serial`` issued by ``issuer``."""
    return (issuer.rfc4514_string(), serial)


class TrustStore:
    """The CA certificates (trust anchors) that a message's chain must lead to.

    Every anchor must be a CA (basicConstraints CA=true); otherwise construction raises
    ConfigError naming ``source``, because a non-CA anchor is a configuration mistake.
    """

    def __init__(self, anchors: Iterable[x509.Certificate], *, source: str = "trust store") -> None:
        self._by_subject: dict[x509.Name, list[x509.Certificate]] = {}
        self._fingerprints: set[bytes] = set()
        for cert in anchors:
            _require_ca(cert, source)
            der = cert.public_bytes(Encoding.DER)
            digest = hashlib.sha256(der).digest()
            if digest in self._fingerprints:
                continue
            self._fingerprints.add(digest)
            self._by_subject.setdefault(cert.subject, []).append(cert)
        if not self._fingerprints:
            raise ConfigError(
                f"The {source} holds no CA certificate; no message could ever verify.",
                field=source,
                hint="Configure the root CA certificate(s) of the exchange (PEM or DER).",
            )

    @classmethod
    def from_paths(cls, paths: Iterable[Path | str]) -> TrustStore:
        """Load CA certificates from PEM/DER files and directories.

        Raises ConfigError naming the file that is unreadable or holds a non-CA certificate.
        """
        loaded = load_certificate_files(paths)
        for path, cert in loaded:
            _require_ca(cert, str(path))
        files = sorted({str(path) for path, _ in loaded})
        store = cls((cert for _, cert in loaded), source=", ".join(files) or "trust store")
        log.info("trust_store_loaded", anchors=len(store), files=len(files))
        return store

    def issuers_named(self, name: x509.Name) -> list[x509.Certificate]:
        """Anchors whose subject is ``name`` (candidates; their signatures are not checked)."""
        return self._by_subject.get(name, [])

    def contains(self, der_sha256: bytes) -> bool:
        """Whether the certificate with this DER SHA-256 digest is itself an anchor."""
        return der_sha256 in self._fingerprints

    def __len__(self) -> int:
        return len(self._fingerprints)


def _require_ca(cert: x509.Certificate, source: str) -> None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise ConfigError(
            f"{source}: certificate {cert.subject.rfc4514_string()!r} is not a CA "
            "(basicConstraints CA=true is missing) and cannot be a trust anchor.",
            field=source,
            hint="Put only root/intermediate CA certificates in the trust store.",
        )


def issuer_public_key(cert: x509.Certificate) -> CertificateIssuerPublicKeyTypes | None:
    """``cert``'s public key if it is of a type that can sign certificates and CRLs."""
    key = cert.public_key()
    if isinstance(key, _ISSUER_KEY_TYPES):
        return key
    return None


def _signed_by(crl: x509.CertificateRevocationList, ca: x509.Certificate) -> bool:
    key = issuer_public_key(ca)
    return key is not None and crl.is_signature_valid(key)


class RevocationSet:
    """The (issuer, serial) pairs of revoked certificates, from CRLs whose signature verified.

    Looking a certificate up is a set membership test; this is what runs per message.
    """

    def __init__(self, entries: Iterable[RevocationKey] = ()) -> None:
        self._entries = frozenset(entries)

    @classmethod
    def from_crls(
        cls,
        crls: Iterable[tuple[Path | str, x509.CertificateRevocationList]],
        trust: TrustStore,
        *,
        now: datetime | None = None,
    ) -> RevocationSet:
        """Accept each CRL only if a trusted CA with its issuer name signed it.

        Raises ConfigError naming the file of a CRL whose issuer is not in the trust store or
        whose signature does not verify. A CRL past its nextUpdate is still used (it is the
        newest we have) and logged as ``crl_stale``.
        """
        checked_at = now or datetime.now(UTC)
        entries: set[RevocationKey] = set()
        for source, crl in crls:
            issuers = [ca for ca in trust.issuers_named(crl.issuer) if _signed_by(crl, ca)]
            if not issuers:
                raise ConfigError(
                    f"CRL {source} is issued by {crl.issuer.rfc4514_string()!r}, which is not a "
                    "CA of the trust store, or its signature does not verify against that CA.",
                    field=str(source),
                    hint="Load only CRLs published by the configured CAs, or add that CA.",
                )
            next_update = crl.next_update_utc
            if next_update is not None and next_update < checked_at:
                log.warning("crl_stale", file=str(source), next_update=next_update.isoformat())
            entries.update(revocation_key(crl.issuer, r.serial_number) for r in crl)
        return cls(entries)

    @classmethod
    def from_paths(
        cls, paths: Iterable[Path | str], trust: TrustStore, *, now: datetime | None = None
    ) -> RevocationSet:
        """Load and verify CRL files (PEM or DER) against ``trust``; see :meth:`from_crls`."""
        crls = load_crl_files(paths)
        revocations = cls.from_crls(crls, trust, now=now)
        log.info("crls_loaded", files=len(crls), revoked=len(revocations))
        return revocations

    def first_revoked(self, keys: frozenset[RevocationKey]) -> RevocationKey | None:
        """The first of ``keys`` that is revoked, or ``None`` (the per-message check)."""
        if self._entries.isdisjoint(keys):
            return None
        return min(self._entries & keys)

    def is_revoked(self, key: RevocationKey) -> bool:
        """Whether the certificate identified by ``key`` is revoked."""
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
