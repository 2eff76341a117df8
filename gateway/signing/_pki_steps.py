"""The steps of :func:`gateway.signing.pki.init_pki`: make or reuse the CA and each identity.

Each step keeps what exists and is current, creates what is missing, and refuses (ConfigError
naming the file) to replace an existing key unless ``force`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

from gateway.exceptions import ConfigError
from gateway.signing import _files as files
from gateway.signing._issue import build_ca, generate_key, issue_leaf
from gateway.signing.certificates import organisation_id

__all__ = ["Ca", "Identity", "ensure_ca", "ensure_identity", "identity_problem"]

FORCE_HINT = "Pass --force (force=True) to replace it; certificates signed with it stop working."


@dataclass(frozen=True, slots=True)
class Identity:
    """Where one signer's certificate and key live."""

    org_code: str
    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class Ca:
    """The CA that issues certificates in this run; ``fresh`` when just created."""

    key: CertificateIssuerPrivateKeyTypes
    cert: x509.Certificate
    fresh: bool


def ensure_ca(out: Path, algorithm: str, now: datetime, force: bool) -> Ca:
    key_path, cert_path = out / "ca" / "ca.key.pem", out / "ca" / "ca.crt.pem"
    if not force and key_path.exists():
        if not cert_path.exists():
            raise ConfigError(
                f"{key_path} exists but the CA certificate {cert_path} is missing.",
                field=str(key_path),
                hint=FORCE_HINT,
            )
        key, cert = files.read_key(key_path), files.read_certificate(cert_path)
        if not files.key_matches(key, cert):
            raise ConfigError(
                f"{key_path} is not the key of the CA certificate {cert_path}.",
                field=str(key_path),
                hint=FORCE_HINT,
            )
        return Ca(key, cert, fresh=False)
    if not force and cert_path.exists():
        raise ConfigError(
            f"The CA certificate {cert_path} exists but its key {key_path} is missing.",
            field=str(cert_path),
            hint="Restore the key; or pass --force to create a new CA and reissue everything.",
        )
    key = generate_key(algorithm)
    cert = build_ca(key, now=now)
    files.write_key(key_path, key)
    files.write_certificate(cert_path, cert)
    return Ca(key, cert, fresh=True)


def ensure_identity(
    identity: Identity, ca: Ca, *, name: str, algorithm: str, now: datetime, force: bool
) -> bool:
    """Issue ``identity`` unless a current one exists; return whether it was (re)issued."""
    if identity.key.exists() and not force:
        problem = identity_problem(identity, ca)
        if problem is None:
            return False
        raise ConfigError(
            f"{identity.key} already exists but {problem}.",
            field=str(identity.key),
            hint=FORCE_HINT,
        )
    key = generate_key(algorithm)
    cert = issue_leaf(
        ca.key,
        ca.cert,
        key.public_key(),
        org_code=identity.org_code,
        common_name=name,
        organisation_name=name,
        now=now,
    )
    files.write_key(identity.key, key)
    files.write_certificate(identity.cert, cert)
    return True


def identity_problem(identity: Identity, ca: Ca) -> str | None:
    """Why the existing identity cannot be kept, or None when it is current."""
    if not identity.cert.exists():
        return f"its certificate {identity.cert} is missing"
    cert = files.read_certificate(identity.cert)
    if not files.key_matches(files.read_key(identity.key), cert):
        return f"it is not the key of {identity.cert}"
    if not files.issued_by(cert, ca.cert):
        return f"{identity.cert} was not issued by the current CA"
    if organisation_id(cert) != identity.org_code:
        return f"{identity.cert} is issued to another organisation code"
    return None
