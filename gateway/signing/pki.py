"""A development PKI: one root CA, a signing certificate per body and one for the gateway.

Made for local runs and tests (``gateway pki init``), never for production: keys are written
unencrypted (mode 0600). Layout under ``out_dir``::

    ca/ca.crt.pem  ca/ca.key.pem  ca/crl.pem
    orgs/<code>/cert.pem  orgs/<code>/key.pem
    gateway/cert.pem  gateway/key.pem

Running it again adds what is missing and keeps what is there: an existing CA issues the
certificates of new bodies only. An existing key is never replaced without ``force``; with
``force`` the CA and every identity under ``out_dir`` are issued anew, so everything still
chains to the one CA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from cryptography import x509

from gateway.exceptions import ConfigError
from gateway.signing import _files as files
from gateway.signing._issue import build_crl, check_key_algorithm
from gateway.signing._pki_steps import Identity, ensure_ca, ensure_identity
from gateway.signing.algorithms import DEFAULT_ALGORITHM
from gateway.signing.certificates import organisation_id, serial_hex

__all__ = ["DEFAULT_GATEWAY_ORG", "Identity", "PkiLayout", "init_pki", "revoke"]

log = structlog.get_logger(__name__)

DEFAULT_GATEWAY_ORG = "999999999"
"""The organisation code in the gateway's own development certificate."""

_CODE = re.compile(r"[0-9]{9}")


@dataclass(frozen=True, slots=True)
class PkiLayout:
    """The files of a development PKI; ``issued`` lists what this run (re)created."""

    root: Path
    ca_cert: Path
    ca_key: Path
    crl: Path
    orgs: Mapping[str, Identity]
    gateway: Identity
    issued: tuple[str, ...]


def init_pki(
    out_dir: Path,
    orgs: Sequence[str],
    *,
    force: bool = False,
    algorithm: str = DEFAULT_ALGORITHM,
    gateway_org: str = DEFAULT_GATEWAY_ORG,
    now: datetime | None = None,
) -> PkiLayout:
    """Create or extend the development PKI under ``out_dir`` for the bodies ``orgs``.

    ``algorithm`` chooses the type of new keys. Raises ConfigError when a code is not 9
    digits, the algorithm has no key generator, or an existing key would have to be replaced
    without ``force`` (naming the file).
    """
    moment = now or datetime.now(UTC)
    codes = list(dict.fromkeys(_check_code(code, "orgs") for code in orgs))
    _check_code(gateway_org, "gateway_org")
    check_key_algorithm(algorithm)
    out = Path(out_dir)
    ca = ensure_ca(out, algorithm, moment, force)
    crl_path = out / "ca" / "crl.pem"
    if ca.fresh or not crl_path.exists():
        files.write_crl(crl_path, build_crl(ca.key, ca.cert, (), number=1, now=moment))
    existing = _existing_orgs(out)
    targets = codes + ([c for c in existing if c not in codes] if ca.fresh else [])
    issued: list[str] = ["ca"] if ca.fresh else []
    for code in targets:
        identity = _identity(out / "orgs" / code, code)
        if ensure_identity(
            identity, ca, name=f"Body {code}", algorithm=algorithm, now=moment, force=force
        ):
            issued.append(code)
    gateway = _identity(out / "gateway", gateway_org)
    if ensure_identity(
        gateway, ca, name="Exchange Gateway", algorithm=algorithm, now=moment, force=force
    ):
        issued.append("gateway")
    log.info("pki_initialised", root=str(out), issued=issued, algorithm=algorithm)
    return _layout(out, gateway, tuple(issued))


def revoke(out_dir: Path, org_code: str, *, now: datetime | None = None) -> int:
    """Add ``org_code``'s certificate to the CA's CRL (re-signed); return its serial.

    Revoking twice is harmless. Raises ConfigError when the PKI or the body is missing.
    """
    moment = now or datetime.now(UTC)
    out = Path(out_dir)
    _check_code(org_code, "org_code")
    ca_key = files.read_key(out / "ca" / "ca.key.pem")
    ca_cert = files.read_certificate(out / "ca" / "ca.crt.pem")
    target = out / "orgs" / org_code / "cert.pem"
    if not target.exists() and (out / "gateway" / "cert.pem").exists():
        gateway_cert = files.read_certificate(out / "gateway" / "cert.pem")
        if organisation_id(gateway_cert) == org_code:
            target = out / "gateway" / "cert.pem"
    if not target.exists():
        raise ConfigError(
            f"No certificate for body {org_code} under {out}.",
            field=str(target),
            hint="Issue it first with 'pki init --orgs ...'.",
        )
    serial = files.read_certificate(target).serial_number
    crl_path = out / "ca" / "crl.pem"
    entries: dict[int, datetime] = {}
    number = 1
    if crl_path.exists():
        old = files.read_crl(crl_path)
        entries = {r.serial_number: r.revocation_date_utc for r in old}
        number = _crl_number(old) + 1
    entries.setdefault(serial, moment)
    crl = build_crl(ca_key, ca_cert, entries.items(), number=number, now=moment)
    files.write_crl(crl_path, crl)
    log.info("pki_certificate_revoked", org_code=org_code, serial=serial_hex(serial))
    return serial


def _check_code(code: str, setting: str) -> str:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ConfigError(
            f"Organisation code {code!r} is not a 9-digit STIR.",
            field=setting,
            hint="Give each body's 9-digit STIR, e.g. 201234567.",
        )
    return code


def _identity(directory: Path, code: str) -> Identity:
    return Identity(org_code=code, cert=directory / "cert.pem", key=directory / "key.pem")


def _existing_orgs(out: Path) -> list[str]:
    base = out / "orgs"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if _CODE.fullmatch(p.name) and p.is_dir())


def _crl_number(crl: x509.CertificateRevocationList) -> int:
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return 1


def _layout(out: Path, gateway: Identity, issued: tuple[str, ...]) -> PkiLayout:
    orgs = {code: _identity(out / "orgs" / code, code) for code in _existing_orgs(out)}
    return PkiLayout(
        root=out,
        ca_cert=out / "ca" / "ca.crt.pem",
        ca_key=out / "ca" / "ca.key.pem",
        crl=out / "ca" / "crl.pem",
        orgs=orgs,
        gateway=gateway,
        issued=issued,
    )
