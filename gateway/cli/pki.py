"""``gateway pki init|revoke|crl``: a development PKI (root CA, a certificate per body, CRL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import click

from gateway.acl import apply_acls, load_plan
from gateway.cli.acl import acl_inputs
from gateway.config import Settings
from gateway.kafka import BROKER, OPERATOR, WORKER, adapter_identity, connection_for
from gateway.signing import REVOCATION_REASONS, Revocation, init_pki, reissue_crl, revoke
from gateway.signing.certificates import serial_hex
from gateway.signing.tls import TlsLayout, ensure_tls, revoke_tls_client
from gateway.topics import load_topics

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
@click.option(
    "--broker-host",
    "broker_hosts",
    multiple=True,
    help="Another DNS name for the broker's TLS certificate (beside localhost and "
    "127.0.0.1), e.g. `kafka` inside docker-compose. Only when the certificate is made.",
)
@click.pass_obj
def init(
    settings: Settings,
    out: Path | None,
    orgs: str,
    algorithm: str,
    force: bool,
    broker_hosts: tuple[str, ...],
) -> None:
    """Create a root CA, a key and certificate per body and one for the gateway.

    Also the Kafka TLS side (another CA, separate keys): the broker's server certificate
    and a client certificate for each body, the worker, each adapter of topics.yaml and the
    operator. Keys are written with mode 0600; existing keys are kept unless --force is
    given (TLS keys are never replaced), and running it again with more codes adds only the
    new bodies.
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
    adapters = load_topics(settings.topics_file).adapters if settings.topics_file.exists() else ()
    principals = [OPERATOR, WORKER, *(adapter_identity(a) for a in adapters), *codes]
    tls = ensure_tls(
        out / "tls" if out else settings.tls_dir, principals, broker_hosts=broker_hosts
    )
    click.echo(f"kafka TLS CA: {tls.ca_cert}")
    for principal in principals:
        click.echo(f"kafka identity {principal}: {tls.client(principal).cert}")


@pki.command("revoke")
@click.argument("org")
@click.option(
    "--reason",
    type=click.Choice(REVOCATION_REASONS),
    default=None,
    help="CRL reason code of the entry [default: none given].",
)
@click.option(
    "--signing-only",
    is_flag=True,
    help="Revoke only the signing certificate (a compromised key being replaced): the body "
    "keeps its Kafka access. Without it the body is cut off: its Kafka TLS certificate is "
    "revoked and the broker denies it everything.",
)
@_OUT
@click.pass_obj
def revoke_command(
    settings: Settings, org: str, reason: str | None, signing_only: bool, out: Path | None
) -> None:
    """Revoke body ORG: its signing certificate (a new CRL, signed by the CA, lists it) and,
    unless --signing-only, its access to Kafka.

    Running workers read the new CRL within GATEWAY_CRL_CHECK_S and reject the body's
    messages with reason certificate_revoked from then on (docs/operations.md); the broker
    refuses the body's next request once the ACLs are applied (docs/security.md).
    """
    done = revoke(out or settings.pki_dir, org, reason=reason)
    state = "was already revoked" if done.already_revoked else "revoked"
    click.echo(f"body {org}: certificate serial {serial_hex(done.serial)} {state}")
    click.echo(f"reason:      {done.reason or '(none given)'}")
    click.echo(f"revoked at:  {done.revoked_at.isoformat()}")
    _echo_crl(done.crl.path, done.crl.number, done.crl.next_update.isoformat(), done.crl.revoked)
    if signing_only:
        click.echo("kafka:       access unchanged (--signing-only)")
    else:
        click.echo(f"kafka:       {revoke_kafka_access(settings, done)}")


@pki.command("crl")
@click.option("--days", type=float, default=365.0, show_default=True, help="Validity (nextUpdate).")
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
    """Withdraw the revoked body's access to Kafka; returns the line ``pki revoke`` prints.

    Its Kafka TLS certificate goes on the TLS CA's CRL, and, when this host holds the
    broker's identity (the broker host), the ACLs are applied at once: a principal whose TLS
    certificate is revoked loses its ALLOW bindings and gets DENY ALL on every topic, group
    and the cluster, which takes effect at its next request. Elsewhere it says to run
    ``gateway acl apply`` on the broker host.
    """
    org = revocation.org_code
    serial = revoke_tls_client(settings.tls_dir, org)
    tls_part = (
        f"TLS certificate {serial_hex(serial)} listed on {TlsLayout(settings.tls_dir).crl}"
        if serial is not None
        else "no Kafka TLS certificate of this body here"
    )
    if settings.kafka_security_protocol == "PLAINTEXT":
        return f"{tls_part}; the broker runs without ACLs (PLAINTEXT): its access is unchanged"
    if not TlsLayout(settings.tls_dir).broker.key.exists():
        return f"{tls_part}; run `gateway acl apply` on the broker host to deny its access"
    changes = asyncio.run(
        apply_acls(connection_for(settings, BROKER), load_plan(acl_inputs(settings)))
    )
    return (
        f"{tls_part}; ACLs applied: {len(changes.create)} created, the body is denied "
        "everything from its next request"
    )
