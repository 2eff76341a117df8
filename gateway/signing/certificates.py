"""Reading certificates, chains and CRLs, and the few subject fields the gateway relies on.

Loading from files happens at start-up (trust store, CRLs, the signer's chain) and fails with
:class:`~gateway.exceptions.ConfigError` naming the file. Parsing the DER a message carries
happens at verification and fails with :class:`BadCertificateError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from gateway.exceptions import ConfigError
from gateway.signing.exceptions import BadCertificateError

__all__ = [
    "ORGANIZATION_IDENTIFIER_OID",
    "UZ_STIR_OID",
    "common_name",
    "crl_file_paths",
    "fingerprint_sha256",
    "load_certificate_files",
    "load_chain_pem",
    "load_crl_files",
    "organisation_id",
    "parse_certificate",
    "parse_crl",
    "serial_hex",
]

ORGANIZATION_IDENTIFIER_OID = NameOID.ORGANIZATION_IDENTIFIER
"""X.520 organizationIdentifier (2.5.4.97): where our certificates carry the body's STIR."""

UZ_STIR_OID = x509.ObjectIdentifier("1.2.860.3.16.1.1")
"""The Uzbek national OID for the STIR (taxpayer number), used by E-IMZO certificates."""

_PEM_MARKER = b"-----BEGIN"
_CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})
_CRL_SUFFIXES = frozenset({".pem", ".crl", ".der"})


def parse_certificate(der: bytes, position: int) -> x509.Certificate:
    """Parse one DER certificate of a message's chain (``position`` 0 is the leaf).

    Raises :class:`BadCertificateError` for anything that is not a DER X.509 certificate,
    which rejects the message.
    """
    if not isinstance(der, bytes | bytearray | memoryview):
        raise BadCertificateError(
            f"Certificate {position} of the chain is a {type(der).__name__}, not DER bytes.",
            hint="Send each certificate of the chain as DER-encoded bytes, leaf first.",
        )
    try:
        return x509.load_der_x509_certificate(bytes(der))
    except ValueError as exc:
        raise BadCertificateError(
            f"Certificate {position} of the chain is not a DER X.509 certificate ({exc}).",
            hint="Send each certificate of the chain as DER-encoded bytes, leaf first.",
        ) from exc


def organisation_id(cert: x509.Certificate) -> str | None:
    """The organisation code (STIR) in ``cert``'s subject, or ``None`` when it has none.

    Read from organizationIdentifier (2.5.4.97); when absent, from the Uzbek STIR OID
    1.2.860.3.16.1.1. Two different values of the same attribute count as none (ambiguous).
    """
    for oid in (ORGANIZATION_IDENTIFIER_OID, UZ_STIR_OID):
        values = {_text(a.value) for a in cert.subject.get_attributes_for_oid(oid)}
        if len(values) == 1:
            return values.pop()
        if values:
            return None
    return None


def common_name(cert: x509.Certificate) -> str:
    """The subject commonName of ``cert`` (the first one), or ``""`` when it has none."""
    attributes = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _text(attributes[0].value) if attributes else ""


def serial_hex(serial: int) -> str:
    """A certificate serial number as lower-case hex, zero-padded to whole bytes (``"0a1b"``)."""
    text = format(serial, "x")
    return text if len(text) % 2 == 0 else "0" + text


def fingerprint_sha256(der: bytes) -> str:
    """The SHA-256 fingerprint of a certificate's DER bytes, as lower-case hex."""
    return hashlib.sha256(der).hexdigest()


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.hex()


def _files(paths: Iterable[Path | str], suffixes: frozenset[str]) -> list[Path]:
    """Expand ``paths``: files as given, directories to their files with ``suffixes``."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(
                f"{path} does not exist or is not a file or directory.",
                field=str(path),
                hint="Point the setting at an existing certificate/CRL file or directory.",
            )
    return files


def read_file(path: Path, hint: str = "Check the path and the file's permissions.") -> bytes:
    """The bytes of ``path``, or a ConfigError naming it with ``hint``."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"Cannot read {path}: {exc.strerror}.",
            field=str(path),
            hint=hint,
        ) from exc


def load_certificate_files(paths: Iterable[Path | str]) -> list[tuple[Path, x509.Certificate]]:
    """Load every certificate from files (PEM, possibly several, or DER) and directories.

    Directories contribute their ``.pem``/``.crt``/``.cer``/``.der`` files (not recursively).
    Raises ConfigError naming the file that cannot be read or parsed.
    """
    loaded: list[tuple[Path, x509.Certificate]] = []
    for path in _files(paths, _CERT_SUFFIXES):
        data = read_file(path)
        try:
            if _PEM_MARKER in data:
                certs = x509.load_pem_x509_certificates(data)
            else:
                certs = [x509.load_der_x509_certificate(data)]
        except ValueError as exc:
            raise ConfigError(
                f"{path} holds no readable X.509 certificate ({exc}).",
                field=str(path),
                hint="Give PEM ('-----BEGIN CERTIFICATE-----') or DER certificate files.",
            ) from exc
        loaded.extend((path, cert) for cert in certs)
    return loaded


def crl_file_paths(paths: Iterable[Path | str]) -> list[Path]:
    """The CRL files ``paths`` name: files as given, directories' ``.pem``/``.crl``/``.der``.

    Raises ConfigError naming a path that does not exist.
    """
    return _files(paths, _CRL_SUFFIXES)


def parse_crl(path: Path, data: bytes) -> x509.CertificateRevocationList:
    """Parse the CRL read from ``path`` (PEM or DER); ConfigError naming the file."""
    try:
        if _PEM_MARKER in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not a readable X.509 CRL ({exc}).",
            field=str(path),
            hint="Give a PEM ('-----BEGIN X509 CRL-----') or DER CRL file.",
        ) from exc


def load_crl_files(
    paths: Iterable[Path | str],
) -> list[tuple[Path, x509.CertificateRevocationList]]:
    """Load one CRL per file (PEM or DER); directories contribute ``.pem``/``.crl``/``.der``.

    Raises ConfigError naming the file that cannot be read or parsed.
    """
    return [(path, parse_crl(path, read_file(path))) for path in crl_file_paths(paths)]


def load_chain_pem(path: Path | str) -> list[bytes]:
    """Read a PEM chain file (leaf first, then intermediates) into a list of DER certificates.

    This is how a signer's ``chain_der`` is usually configured. Raises ConfigError naming the
    file when it is unreadable or holds no certificate.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path} is not a file.",
            field=str(path),
            hint="Give the PEM file holding the signing certificate and its intermediates.",
        )
    certs = [cert for _, cert in load_certificate_files([path])]
    if not certs:
        raise ConfigError(
            f"{path} holds no certificate.",
            field=str(path),
            hint="Put the signing certificate, then its intermediates, in the PEM file.",
        )
    return [cert.public_bytes(Encoding.DER) for cert in certs]
