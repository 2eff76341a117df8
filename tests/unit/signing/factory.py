"""A small certificate factory for the signing tests, built directly on cryptography so that it
does not depend on the code under test (gateway.signing's own PKI is tested separately)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from gateway.signing import Signer, TrustStore, Verifier
from gateway.signing.trust import RevocationSet

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = "201234567"
OTHER_ORG = "301234568"
ALGORITHMS = ("ecdsa-p256-sha256", "ed25519", "rsa-pss-sha256")
UZ_STIR_OID = x509.ObjectIdentifier("1.2.860.3.16.1.1")


@functools.cache
def _rsa_key(slot: int) -> rsa.RSAPrivateKey:
    """RSA keys are slow to make; they are shared by the whole run, one per slot."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_key(algorithm: str = "ecdsa-p256-sha256", *, slot: int = 0):
    """A fresh private key for ``algorithm``; RSA keys are shared per ``slot``."""
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == "rsa-pss-sha256":
        return _rsa_key(slot)
    return ec.generate_private_key(ec.SECP256R1())


def _digest(key):
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _usage(*, digital_signature: bool, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class Issued:
    """A certificate with its private key."""

    key: object
    cert: x509.Certificate
    der: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.der = self.cert.public_bytes(Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(Encoding.PEM)


def make_cert(
    subject: x509.Name,
    key,
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    path_length: int | None = None,
    digital_signature: bool = True,
    key_usage: bool = True,
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=365),
    serial: int | None = None,
) -> Issued:
    """Build a certificate; self-signed when ``issuer`` is None."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True
        )
    )
    if key_usage:
        builder = builder.add_extension(
            _usage(digital_signature=digital_signature and not ca, cert_sign=ca), critical=True
        )
    signing_key = issuer.key if issuer else key
    return Issued(key, builder.sign(signing_key, _digest(signing_key)))


def ca_name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def body_name(org: str | None = ORG, *, oid: x509.ObjectIdentifier | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Body {org}"),
    ]
    if org is not None:
        attributes.append(x509.NameAttribute(oid or NameOID.ORGANIZATION_IDENTIFIER, org))
    return x509.Name(attributes)


def make_ca(common_name: str = "Test Root CA", **kwargs) -> Issued:
    return make_cert(ca_name(common_name), new_key(), ca=True, **kwargs)


def make_leaf(
    issuer: Issued, org: str | None = ORG, *, algorithm: str = "ecdsa-p256-sha256", **kwargs
) -> Issued:
    oid = kwargs.pop("oid", None)
    return make_cert(body_name(org, oid=oid), new_key(algorithm), issuer=issuer, **kwargs)


def make_crl(issuer: Issued, serials: Iterable[int]) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=30))
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(NOW - timedelta(hours=1))
            .build()
        )
    return builder.sign(issuer.key, _digest(issuer.key))


def make_verifier(
    *anchors: Issued,
    crls: Iterable[x509.CertificateRevocationList] = (),
    clock=lambda: NOW,
    **kwargs,
) -> Verifier:
    trust = TrustStore(a.cert for a in anchors)
    revocations = RevocationSet.from_crls((("test", c) for c in crls), trust, now=NOW)
    return Verifier(trust, revocations, clock=clock, **kwargs)


def sign(issued: Issued, data: bytes, algorithm: str | None = None) -> bytes:
    return Signer(issued.key, [issued.der], algorithm=algorithm).sign(data)


class FakeClock:
    """The wall clock (expiry) and the monotonic clock (check intervals), moved by hand."""

    def __init__(self) -> None:
        self.now = NOW
        self.mono = 1000.0

    def __call__(self):
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.now += step
        self.mono += step.total_seconds()
