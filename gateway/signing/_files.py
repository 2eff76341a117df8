"""Reading and writing the development PKI's PEM files (keys created 0600, atomically)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from gateway.exceptions import ConfigError
from gateway.signing.certificates import read_file
from gateway.signing.trust import issuer_public_key

__all__ = [
    "issued_by",
    "key_matches",
    "read_certificate",
    "read_crl",
    "read_key",
    "write_bytes",
    "write_certificate",
    "write_crl",
    "write_key",
    "write_secret",
]

_KEY_MODE = 0o600
_PUBLIC_MODE = 0o644


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically; the file is created with ``mode`` from the start.

    A temporary file is opened with ``os.open(..., mode)`` (so a key is never readable by
    others, not even briefly) and renamed over ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_key(path: Path, key: CertificateIssuerPrivateKeyTypes) -> None:
    """Write an unencrypted PKCS#8 PEM key, mode 0600 (development keys only)."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    _write(path, pem, _KEY_MODE)


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    """Write a PEM certificate, mode 0644."""
    _write(path, cert.public_bytes(Encoding.PEM), _PUBLIC_MODE)


def write_crl(path: Path, crl: x509.CertificateRevocationList) -> None:
    """Write a PEM CRL, mode 0644."""
    _write(path, crl.public_bytes(Encoding.PEM), _PUBLIC_MODE)


def write_bytes(path: Path, data: bytes) -> None:
    """Write public PEM data (a certificate chain), mode 0644."""
    _write(path, data, _PUBLIC_MODE)


def write_secret(path: Path, data: bytes) -> None:
    """Write secret data (a key store, a password), mode 0600."""
    _write(path, data, _KEY_MODE)


def _read_bytes(path: Path) -> bytes:
    return read_file(path, hint="Check the file, or recreate the PKI with --force.")


def read_key(path: Path) -> CertificateIssuerPrivateKeyTypes:
    """Read a PEM private key that can sign certificates; ConfigError naming the file."""
    try:
        key = load_pem_private_key(_read_bytes(path), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not an unencrypted PEM private key ({exc}).",
            field=str(path),
            hint="Restore the file, or recreate the PKI with --force.",
        ) from exc
    if not isinstance(
        key,
        dsa.DSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey
        | rsa.RSAPrivateKey,
    ):
        raise ConfigError(
            f"{path} holds a {type(key).__name__}, which cannot sign certificates.",
            field=str(path),
            hint="Recreate the PKI with --force.",
        )
    return key


def read_certificate(path: Path) -> x509.Certificate:
    """Read one PEM certificate; ConfigError naming the file."""
    try:
        return x509.load_pem_x509_certificate(_read_bytes(path))
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not a PEM certificate ({exc}).",
            field=str(path),
            hint="Restore the file, or recreate the PKI with --force.",
        ) from exc


def read_crl(path: Path) -> x509.CertificateRevocationList:
    """Read one PEM CRL; ConfigError naming the file."""
    try:
        return x509.load_pem_x509_crl(_read_bytes(path))
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not a PEM CRL ({exc}).",
            field=str(path),
            hint="Delete it and run 'pki init' again to recreate an empty CRL.",
        ) from exc


def key_matches(key: CertificateIssuerPrivateKeyTypes, cert: x509.Certificate) -> bool:
    """Whether ``key`` is the private half of ``cert``'s public key."""
    return key.public_key() == cert.public_key()


def issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """Whether ``ca`` issued ``cert`` (names link and the signature verifies)."""
    if issuer_public_key(ca) is None:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True
