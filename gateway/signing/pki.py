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

:func:`revoke` lists a body's certificate on the CA's CRL (``gateway pki revoke``) and
:func:`reissue_crl` signs the CRL anew before its nextUpdate (``gateway pki crl``); each
writes a new CRL with the next CRL number, atomically, which running processes reload
(:mod:`gateway.signing.crl_watch`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from cryptography import x509

from gateway.exceptions import ConfigError
from gateway.signing import _files as files
from gateway.signing._issue import CRL_DAYS, build_crl, check_key_algorithm
from gateway.signing._pki_steps import Identity, ensure_ca, ensure_identity
from gateway.signing.algorithms import DEFAULT_ALGORITHM
from gateway.signing.certificates import organisation_id, serial_hex

__all__ = [
    "DEFAULT_GATEWAY_ORG",
    "REVOCATION_REASONS",
    "CrlIssued",
    "Identity",
    "PkiLayout",
    "Revocation",
    "init_pki",
    "reissue_crl",
    "revoke",
]

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


REVOCATION_REASONS: tuple[str, ...] = (
    "keyCompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "privilegeWithdrawn",
)
"""The CRL reason codes (RFC 5280 5.3.1) a body's signing certificate may be revoked with.

``unspecified`` is left out (the RFC asks to omit the extension instead), and so are the
codes that do not fit a body's leaf certificate: ``cACompromise`` and ``aACompromise`` (a CA),
``certificateHold`` (a suspension the development PKI cannot lift) and ``removeFromCRL``
(delta CRLs only).
"""


@dataclass(frozen=True, slots=True)
class Revocation:
    """What :func:`revoke` did: the certificate now listed and the CRL that lists it.

    ``already_revoked`` is true when the certificate was on the CRL before; its original
    date and reason are kept (``revoked_at``, ``reason``) and only the CRL is re-issued.
    """

    org_code: str
    serial: int
    reason: str | None
    revoked_at: datetime
    already_revoked: bool
    crl: CrlIssued


@dataclass(frozen=True, slots=True)
class CrlIssued:
    """A CRL the development CA has just signed and written."""

    path: Path
    number: int
    next_update: datetime
    revoked: int


_Entry = tuple[datetime, x509.ReasonFlags | None]


def revoke(
    out_dir: Path,
    org_code: str,
    *,
    reason: str | None = None,
    now: datetime | None = None,
    crl_valid_for: timedelta | None = None,
) -> Revocation:
    """List ``org_code``'s signing certificate on the CA's CRL and write a new CRL.

    The new CRL carries the next CRL number and, with ``reason`` (one of
    :data:`REVOCATION_REASONS`), the entry's CRL reason code. Revoking twice keeps the first
    date and reason and re-issues the CRL. A running worker picks the file up within
    ``GATEWAY_CRL_CHECK_S`` (docs/operations.md, "Revoking a body"). Raises ConfigError when
    the PKI or the body is missing or the reason is unknown, before anything is written.
    """
    moment = now or datetime.now(UTC)
    out = Path(out_dir)
    _check_code(org_code, "org_code")
    flag = _reason_flag(reason)
    _require_pki(out)
    target = out / "orgs" / org_code / "cert.pem"
    if not target.exists() and (out / "gateway" / "cert.pem").exists():
        gateway_cert = files.read_certificate(out / "gateway" / "cert.pem")
        if organisation_id(gateway_cert) == org_code:
            target = out / "gateway" / "cert.pem"
    if not target.exists():
        known = ", ".join(_existing_orgs(out)) or "none"
        raise ConfigError(
            f"No certificate for body {org_code} under {out} (bodies there: {known}).",
            field=str(target),
            hint="Check the code, or issue the body's certificate first with "
            "'gateway pki init --orgs ...'.",
        )
    serial = files.read_certificate(target).serial_number
    entries, number = _current_entries(out)
    already = serial in entries
    if not already:
        entries[serial] = (moment.replace(microsecond=0), flag)  # a CRL keeps whole seconds
    issued = _publish(out, entries, number + 1, moment, crl_valid_for)
    revoked_at, kept = entries[serial]
    log.info(
        "pki_certificate_revoked",
        org_code=org_code,
        serial=serial_hex(serial),
        reason=kept.value if kept is not None else None,
        already_revoked=already,
        crl_number=issued.number,
    )
    return Revocation(
        org_code=org_code,
        serial=serial,
        reason=kept.value if kept is not None else None,
        revoked_at=revoked_at,
        already_revoked=already,
        crl=issued,
    )


def reissue_crl(
    out_dir: Path, *, now: datetime | None = None, valid_for: timedelta | None = None
) -> CrlIssued:
    """Sign the CA's CRL anew (same entries, next number, nextUpdate ``now + valid_for``).

    This is what a CA does before its CRL's nextUpdate even when nothing new is revoked; a
    worker holding intake on ``crl_expired`` resumes once it reads the new file. Raises
    ConfigError when the PKI is missing.
    """
    moment = now or datetime.now(UTC)
    out = Path(out_dir)
    _require_pki(out)
    entries, number = _current_entries(out)
    issued = _publish(out, entries, number + 1, moment, valid_for)
    log.info("pki_crl_issued", crl_number=issued.number, revoked=issued.revoked)
    return issued


def _reason_flag(reason: str | None) -> x509.ReasonFlags | None:
    if reason is None:
        return None
    if reason not in REVOCATION_REASONS:
        raise ConfigError(
            f"{reason!r} is not a revocation reason for a body's certificate.",
            field="reason",
            hint=f"Use one of: {', '.join(REVOCATION_REASONS)}; or give none.",
        )
    return x509.ReasonFlags(reason)


def _require_pki(out: Path) -> None:
    missing = [p for p in (out / "ca" / "ca.key.pem", out / "ca" / "ca.crt.pem") if not p.exists()]
    if missing:
        raise ConfigError(
            f"No development PKI under {out}: {', '.join(str(p) for p in missing)} missing.",
            field=str(out),
            hint="Create it with 'gateway pki init --orgs ...', or point --out (or "
            "GATEWAY_HOME) at the PKI's folder.",
        )


def _current_entries(out: Path) -> tuple[dict[int, _Entry], int]:
    """The CRL's entries (serial -> date, reason) and its number; none and 0 without a CRL."""
    crl_path = out / "ca" / "crl.pem"
    if not crl_path.exists():
        return {}, 0
    old = files.read_crl(crl_path)
    return {r.serial_number: (r.revocation_date_utc, _reason_of(r)) for r in old}, _crl_number(old)


def _publish(
    out: Path,
    entries: dict[int, _Entry],
    number: int,
    moment: datetime,
    valid_for: timedelta | None,
) -> CrlIssued:
    ca_key = files.read_key(out / "ca" / "ca.key.pem")
    ca_cert = files.read_certificate(out / "ca" / "ca.crt.pem")
    crl_path = out / "ca" / "crl.pem"
    pairs = [(serial, when, flag) for serial, (when, flag) in entries.items()]
    validity = valid_for if valid_for is not None else timedelta(days=CRL_DAYS)
    crl = build_crl(ca_key, ca_cert, pairs, number=number, now=moment, valid_for=validity)
    files.write_crl(crl_path, crl)  # atomic: a reader sees the old CRL or the new one
    next_update = crl.next_update_utc or moment + validity
    return CrlIssued(path=crl_path, number=number, next_update=next_update, revoked=len(pairs))


def _reason_of(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None


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
