"""Building keys, certificates and CRLs for the development PKI (never used to verify).

Pure functions over cryptography objects; :mod:`gateway.signing.pki` decides what to build and
writes the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID

from gateway.exceptions import ConfigError
from gateway.signing.trust import issuer_public_key

__all__ = [
    "CA_DAYS",
    "CLOCK_SKEW",
    "CRL_DAYS",
    "LEAF_DAYS",
    "build_ca",
    "build_crl",
    "check_key_algorithm",
    "generate_key",
    "issue_leaf",
    "key_usage",
]

CA_DAYS = 3650
LEAF_DAYS = 730
CRL_DAYS = 365
CLOCK_SKEW = timedelta(minutes=5)
"""Certificates start this long before ``now`` so hosts with slightly late clocks accept them."""

_KEY_GENERATORS: dict[str, Callable[[], CertificateIssuerPrivateKeyTypes]] = {
    "ecdsa-p256-sha256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate,
    "rsa-pss-sha256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
}


def check_key_algorithm(algorithm: str) -> None:
    """Raise ConfigError when the PKI cannot make keys for ``algorithm``."""
    if algorithm not in _KEY_GENERATORS:
        raise ConfigError(
            f"The development PKI cannot create keys for algorithm {algorithm!r}.",
            field="algorithm",
            hint=f"Use one of: {', '.join(_KEY_GENERATORS)}.",
        )


def generate_key(algorithm: str) -> CertificateIssuerPrivateKeyTypes:
    """A new private key for ``algorithm``; ConfigError when the PKI cannot make one."""
    check_key_algorithm(algorithm)
    return _KEY_GENERATORS[algorithm]()


def _digest(key: CertificateIssuerPrivateKeyTypes) -> hashes.SHA256 | None:
    """The hash to sign certificates with: none for Ed25519/Ed448 (they hash internally)."""
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def build_ca(key: CertificateIssuerPrivateKeyTypes, *, now: datetime) -> x509.Certificate:
    """A self-signed root CA valid for :data:`CA_DAYS` (keyCertSign and cRLSign only)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Interagency Exchange (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Interagency Exchange Dev Root CA"),
        ]
    )
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    return builder.sign(key, _digest(key))


def issue_leaf(
    ca_key: CertificateIssuerPrivateKeyTypes,
    ca_cert: x509.Certificate,
    public_key: CertificatePublicKeyTypes,
    *,
    org_code: str,
    common_name: str,
    organisation_name: str,
    now: datetime,
    days: int = LEAF_DAYS,
) -> x509.Certificate:
    """A signing certificate for ``org_code``: digitalSignature only, CA=false."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_code),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    ca_public = issuer_public_key(ca_cert)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca_public is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False
        )
    return builder.sign(ca_key, _digest(ca_key))


def build_crl(
    ca_key: CertificateIssuerPrivateKeyTypes,
    ca_cert: x509.Certificate,
    revoked: Iterable[tuple[int, datetime, x509.ReasonFlags | None]],
    *,
    number: int,
    now: datetime,
    valid_for: timedelta = timedelta(days=CRL_DAYS),
) -> x509.CertificateRevocationList:
    """A CRL of ``ca_cert`` listing ``(serial, revocation date, reason)``, valid ``valid_for``.

    A reason other than ``None`` becomes the entry's CRL reason code extension (RFC 5280
    5.3.1); ``None`` leaves it out, as the RFC asks instead of ``unspecified``.
    """
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - CLOCK_SKEW)
        .next_update(now + valid_for)
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    for serial, when, reason in sorted(revoked, key=lambda entry: entry[0]):
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca_key, _digest(ca_key))


def key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """digitalSignature for a leaf; keyCertSign and cRLSign for a CA; nothing else."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
