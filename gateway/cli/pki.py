"""``gateway pki init|revoke|crl``: a development PKI (root CA, a certificate per body, CRL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from gateway.config import Settings
from gateway.signing import REVOCATION_REASONS, Revocation, init_pki, reissue_crl, revoke
from gateway.signing.certificates import serial_hex

__all__ = ["pki", "revoke_kafka_access"]

_OUT = click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of the PKI [default: <GATEWAY_HOME>/pki].",
)


@click.group()
def pki() -> None:
    """Certificates and keys for development and tests (never for production)."""


@pki.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the PKI [default: <GATEWAY_HOME>/pki].",
)
@click.option(
    "--orgs",
    required=True,
    help="Comma-separated 9-digit body codes (STIR) to issue certificates for.",
)
@click.option(
    "--algorithm",
    default="ecdsa-p256-sha256",
    show_default=True,
    type=click.Choice(["ecdsa-p256-sha256", "ed25519", "rsa-pss-sha256"]),
)
@click.option("--force", is_flag=True, help="Replace existing keys (a new CA re-issues all).")
@click.pass_obj
def init(settings: Settings, out: Path | None, orgs: str, algorithm: str, force: bool) -> None:
    """Create a root CA, a key and certificate per body and one for the gateway.

    Keys are written with mode 0600; existing keys are kept unless --force is given, and
    running it again with more codes adds only the new bodies.
    """
    codes = [c.strip() for c in orgs.split(",") if c.strip()]
    layout = init_pki(
        out or settings.pki_dir,
        codes,
        force=force,
        algorithm=algorithm,
        gateway_org=settings.gateway_org,
    )
    click.echo(f"CA:      {layout.ca_cert}")
    click.echo(f"CRL:     {layout.crl}")
    for code, ident in sorted(layout.orgs.items()):
        state = "issued" if code in layout.issued else "kept"
        click.echo(f"body {code}: {ident.cert} ({state})")
    click.echo(f"gateway: {layout.gateway.cert}")


@pki.command("revoke")
@click.argument("org")
@click.option(
    "--reason",
    type=click.Choice(REVOCATION_REASONS),
    default=None,
    help="CRL reason code of the entry [default: none given].",
)
@_OUT
@click.pass_obj
def revoke_command(settings: Settings, org: str, reason: str | None, out: Path | None) -> None:
    """Revoke body ORG's signing certificate: a new CRL, signed by the CA, lists it.

    Running workers read the new CRL within GATEWAY_CRL_CHECK_S and reject the body's
    messages with reason certificate_revoked from then on (docs/operations.md).
    """
    done = revoke(out or settings.pki_dir, org, reason=reason)
    state = "was already revoked" if done.already_revoked else "revoked"
    click.echo(f"body {org}: certificate serial {serial_hex(done.serial)} {state}")
    click.echo(f"reason:      {done.reason or '(none given)'}")
    click.echo(f"revoked at:  {done.revoked_at.isoformat()}")
    _echo_crl(done.crl.path, done.crl.number, done.crl.next_update.isoformat(), done.crl.revoked)
    click.echo(f"kafka:       {revoke_kafka_access(settings, done)}")


@pki.command("crl")
@click.option(
    "--days", type=float, default=365.0, show_default=True, help="Validity (nextUpdate)."
)
@_OUT
@click.pass_obj
def crl_command(settings: Settings, days: float, out: Path | None) -> None:
    """Sign the CA's CRL anew (same entries, next number), e.g. before its nextUpdate.

    A worker holding intake because the CRL expired (crl_expired) resumes once it reads it.
    """
    if days <= 0:
        raise click.BadParameter("must be positive", param_hint="--days")
    issued = reissue_crl(out or settings.pki_dir, valid_for=timedelta(days=days))
    _echo_crl(issued.path, issued.number, issued.next_update.isoformat(), issued.revoked)


def _echo_crl(path: Path, number: int, next_update: str, revoked: int) -> None:
    click.echo(f"CRL:         {path} (number {number}, {revoked} revoked)")
    click.echo(f"next update: {next_update}")


def revoke_kafka_access(settings: Settings, revocation: Revocation) -> str:
    """Hook: withdraw the revoked body's access to Kafka (ACLs, client certificate).

    Called by ``gateway pki revoke`` after the CRL is written; returns the line it prints.
    Not implemented yet: the Kafka connection layer (TLS, ACLs) will remove the body's ACLs
    here, with ``settings`` for the connection and ``revocation.org_code`` for the principal.
    Until then the body can still write to its outbox, and the gateway rejects what it sends
    (``certificate_revoked``); nothing of it is routed.
    """
    del settings, revocation  # used once ACLs exist
    return "access unchanged (ACLs are not managed yet); its messages are rejected"
