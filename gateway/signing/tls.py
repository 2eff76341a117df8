"""The development PKI's TLS side: a CA of its own, the broker's server certificate, and a
client certificate per Kafka principal (each body, the worker, each adapter, the operator).

TLS identities are separate from the signing keys: another CA, other keys, client-auth
extended key usage, and a subject the broker maps to a principal with
:data:`PRINCIPAL_MAPPING_RULES` (``CN=<principal>,OU=kafka,O=Interagency Exchange,C=UZ``
becomes ``<principal>``; any other subject keeps its whole DN, which no ACL names). Layout
under ``<pki>/tls/``::

    ca/ca.crt.pem  ca/ca.key.pem  ca/crl.pem
    broker/cert.pem  broker/key.pem  broker/keystore.pem   (key + chain, for the broker)
    clients/<principal>/cert.pem  clients/<principal>/key.pem
    scram/<principal>.password                              (SCRAM-SHA-512 service accounts)

Keys are 0600 and never overwritten: a file that exists is kept. The functions below take
the TLS folder itself (``GATEWAY_KAFKA_TLS_DIR``, by default ``<home>/pki/tls``).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gateway.exceptions import ConfigError
from gateway.signing import _files as files
from gateway.signing._issue import CLOCK_SKEW, build_crl, key_usage

__all__ = [
    "BROKER_PRINCIPAL",
    "PRINCIPAL_MAPPING_RULES",
    "TlsClient",
    "TlsLayout",
    "check_principal",
    "ensure_scram_password",
    "ensure_tls",
    "ensure_tls_client",
    "issue_tls_client",
    "principal_of",
    "revoke_tls_client",
    "revoked_principals",
    "tls_layout",
]

BROKER_PRINCIPAL = "broker"
_OU = "kafka"
_O = "Interagency Exchange"
_PRINCIPAL = re.compile(r"[0-9]{9}|[a-z][a-z0-9_.-]{0,99}")
PRINCIPAL_MAPPING_RULES = (
    r"RULE:^CN=([0-9]{9}|[a-z][a-z0-9_.-]{0,99}),OU=kafka,O=Interagency Exchange,C=UZ$/$1/,"
    "DEFAULT"
)
"""``ssl.principal.mapping.rules`` of the broker: the CN of a certificate with the gateway's
OU and O is the principal (a body's 9-digit code or a service name); anything else keeps its
full distinguished name, for which no ACL exists, so it may do nothing."""

_CA_DAYS = 3650
_LEAF_DAYS = 730


@dataclass(frozen=True, slots=True)
class TlsClient:
    """One principal's TLS client certificate (chain: leaf then CA) and key."""

    principal: str
    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class TlsLayout:
    """Where the TLS files of a development PKI live."""

    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca" / "ca.crt.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca" / "ca.key.pem"

    @property
    def crl(self) -> Path:
        return self.root / "ca" / "crl.pem"

    @property
    def broker_keystore(self) -> Path:
        return self.root / "broker" / "keystore.pem"

    @property
    def broker(self) -> TlsClient:
        return TlsClient(
            BROKER_PRINCIPAL, self.root / "broker" / "cert.pem", self.root / "broker" / "key.pem"
        )

    def client(self, principal: str) -> TlsClient:
        """The TLS files of ``principal`` (the broker's own for ``broker``)."""
        if principal == BROKER_PRINCIPAL:
            return self.broker
        base = self.root / "clients" / check_principal(principal)
        return TlsClient(principal, base / "cert.pem", base / "key.pem")

    def scram_password_file(self, principal: str) -> Path:
        return self.root / "scram" / f"{check_principal(principal)}.password"


def tls_layout(pki_dir: Path) -> TlsLayout:
    """The TLS layout of the development PKI at ``pki_dir`` (its ``tls/`` folder)."""
    return TlsLayout(Path(pki_dir) / "tls")


def check_principal(principal: str) -> str:
    """``principal`` if it is a 9-digit body code or a service name, else ConfigError."""
    if not isinstance(principal, str) or not _PRINCIPAL.fullmatch(principal):
        raise ConfigError(
            f"{principal!r} is not a Kafka principal of the gateway",
            field="principal",
            hint="a body's 9-digit code, or a service name of lower-case letters, digits, "
            "'-', '_' and '.' that starts with a letter (gateway-worker, adapter-portal)",
        )
    return principal


def _subject(principal: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _O),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _OU),
            x509.NameAttribute(NameOID.COMMON_NAME, principal),
        ]
    )


def principal_of(cert: x509.Certificate) -> str | None:
    """The principal the broker's mapping rule gives ``cert``, or None for a foreign DN.

    The same rule as :data:`PRINCIPAL_MAPPING_RULES`, applied to the RFC 4514 string (the
    RFC 2253 form Java gives the broker); tests pin the two together.
    """
    match = re.fullmatch(
        r"CN=([0-9]{9}|[a-z][a-z0-9_.-]{0,99}),OU=kafka,O=Interagency Exchange,C=UZ",
        cert.subject.rfc4514_string(),
    )
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class _Ca:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _ensure_ca(layout: TlsLayout, now: datetime) -> _Ca:
    if layout.ca_key.exists():
        key = files.read_key(layout.ca_key)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not layout.ca_cert.exists():
            raise ConfigError(
                f"the TLS CA at {layout.ca_key} is not usable (not an EC key, or its "
                f"certificate {layout.ca_cert} is missing)",
                field=str(layout.ca_key),
                hint=f"move {layout.root} away to make a new TLS PKI (every TLS identity "
                "is then issued again)",
            )
        return _Ca(key, files.read_certificate(layout.ca_cert))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _O),
            x509.NameAttribute(NameOID.COMMON_NAME, "Interagency Exchange Dev Kafka TLS CA"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    files.write_key(layout.ca_key, key)
    files.write_certificate(layout.ca_cert, cert)
    files.write_crl(layout.crl, build_crl(key, cert, (), number=1, now=now))
    return _Ca(key, cert)


def _issue(
    ca: _Ca,
    principal: str,
    *,
    server: bool,
    now: datetime,
    hosts: Sequence[str] = (),
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if server:
        usages.insert(0, ExtendedKeyUsageOID.SERVER_AUTH)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_subject(principal))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - CLOCK_SKEW)
        .not_valid_after(not_after or now + timedelta(days=_LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    *(x509.DNSName(h) for h in hosts if h != "localhost"),
                ]
            ),
            critical=False,
        )
    return key, builder.sign(ca.key, hashes.SHA256())


def _pem_chain(cert: x509.Certificate, ca: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )


def _write_client(
    target: TlsClient, ca: _Ca, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate
) -> None:
    files.write_key(target.key, key)
    files.write_bytes(target.cert, _pem_chain(cert, ca.cert))


def ensure_tls(
    tls_dir: Path,
    principals: Iterable[str],
    *,
    now: datetime | None = None,
    broker_hosts: Sequence[str] = (),
) -> TlsLayout:
    """Create what is missing of the TLS PKI: the CA, the broker and each principal's client.

    Idempotent; existing keys and certificates are kept (never overwritten).
    """
    moment = now or datetime.now(UTC)
    layout = TlsLayout(Path(tls_dir))
    ca = _ensure_ca(layout, moment)
    broker = layout.broker
    if not broker.key.exists() or not layout.broker_keystore.exists():
        key, cert = _issue(ca, BROKER_PRINCIPAL, server=True, now=moment, hosts=broker_hosts)
        _write_client(broker, ca, key, cert)
        keystore = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ) + _pem_chain(cert, ca.cert)
        files.write_secret(layout.broker_keystore, keystore)
    for principal in principals:
        ensure_tls_client(tls_dir, principal, now=moment)
    return layout


def ensure_tls_client(tls_dir: Path, principal: str, *, now: datetime | None = None) -> TlsClient:
    """``principal``'s client certificate, issued by the TLS CA unless it exists."""
    layout = TlsLayout(Path(tls_dir))
    target = layout.client(principal)
    if target.key.exists() and target.cert.exists():
        return target
    moment = now or datetime.now(UTC)
    ca = _ensure_ca(layout, moment)
    key, cert = _issue(ca, principal, server=False, now=moment)
    _write_client(target, ca, key, cert)
    return target


def issue_tls_client(
    tls_dir: Path,
    principal: str,
    out_dir: Path,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> TlsClient:
    """A client certificate for ``principal`` written to ``out_dir`` (for tests and drills:
    an expired certificate, a second one for rotation); the CA must exist."""
    layout = TlsLayout(Path(tls_dir))
    if not layout.ca_key.exists():
        raise ConfigError(
            f"no TLS CA at {layout.ca_key}",
            field=str(layout.ca_key),
            hint="run `gateway pki init` or `gateway kafka up` first",
        )
    now = datetime.now(UTC)
    ca = _ensure_ca(layout, now)
    key, cert = _issue(
        ca, check_principal(principal), server=False, now=now,
        not_before=not_before, not_after=not_after,
    )  # fmt: skip
    target = TlsClient(principal, Path(out_dir) / "cert.pem", Path(out_dir) / "key.pem")
    _write_client(target, ca, key, cert)
    return target


def ensure_scram_password(tls_dir: Path, principal: str) -> str:
    """The SCRAM-SHA-512 password of service account ``principal`` (made once, 0600)."""
    path = TlsLayout(Path(tls_dir)).scram_password_file(principal)
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(24)
    files.write_secret(path, password.encode())
    return password


def revoke_tls_client(tls_dir: Path, principal: str, *, now: datetime | None = None) -> int | None:
    """List ``principal``'s TLS certificate on the TLS CA's CRL; its serial, or None when it
    has no TLS certificate. The broker also loses the principal's ACLs (``gateway acl``)."""
    layout = TlsLayout(Path(tls_dir))
    target = layout.client(principal)
    if not target.cert.exists() or not layout.ca_key.exists():
        return None
    moment = now or datetime.now(UTC)
    ca = _ensure_ca(layout, moment)
    serial = files.read_certificate(target.cert).serial_number
    entries: dict[int, datetime] = {}
    number = 1
    if layout.crl.exists():
        old = files.read_crl(layout.crl)
        entries = {r.serial_number: r.revocation_date_utc for r in old}
        try:
            number = old.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
        except x509.ExtensionNotFound:
            number = 2
    entries.setdefault(serial, moment)
    files.write_crl(
        layout.crl,
        build_crl(
            ca.key,
            ca.cert,
            [(s, d, None) for s, d in entries.items()],
            number=number,
            now=moment,
        ),
    )
    return serial


def revoked_principals(tls_dir: Path) -> frozenset[str]:
    """The principals whose current TLS client certificate is on the TLS CRL."""
    layout = TlsLayout(Path(tls_dir))
    if not layout.crl.exists():
        return frozenset()
    serials = {r.serial_number for r in files.read_crl(layout.crl)}
    if not serials:
        return frozenset()
    found: set[str] = set()
    base = layout.root / "clients"
    for cert_path in sorted(base.glob("*/cert.pem")) if base.is_dir() else ():
        if files.read_certificate(cert_path).serial_number in serials:
            found.add(cert_path.parent.name)
    return frozenset(found)
