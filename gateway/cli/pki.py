"""``gateway pki init``: a development PKI (root CA, one signing certificate per body)."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.config import Settings
from gateway.kafka import OPERATOR, WORKER, adapter_identity
from gateway.signing import init_pki
from gateway.signing.tls import ensure_tls
from gateway.topics import load_topics

__all__ = ["pki"]


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
