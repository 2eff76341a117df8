"""Entry point: the ``gateway`` command group, shared options and error reporting."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gateway.cli.acl import acl
from gateway.cli.adapters import adapters, dlq, nisuz
from gateway.cli.calendar import calendar
from gateway.cli.demo import demo
from gateway.cli.kafka import kafka
from gateway.cli.lag import lag
from gateway.cli.messages import inbox, send
from gateway.cli.pki import pki
from gateway.cli.reference import reference
from gateway.cli.schemas import schemas
from gateway.cli.topics import topics
from gateway.cli.worker import track, worker
from gateway.config import Settings, load_settings
from gateway.exceptions import GatewayError
from gateway.logs import configure_logging

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="TOML settings file (also GATEWAY_CONFIG_FILE); environment variables win over it.",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Interagency exchange gateway: signed requests and responses between state bodies."""
    settings: Settings = load_settings(config_file)
    configure_logging(settings.log_format, settings.log_level)
    ctx.obj = settings


cli.add_command(kafka)
cli.add_command(topics)
cli.add_command(acl)
cli.add_command(pki)
cli.add_command(send)
cli.add_command(inbox)
cli.add_command(schemas)
cli.add_command(demo)
cli.add_command(worker)
cli.add_command(track)
cli.add_command(lag)
cli.add_command(reference)
cli.add_command(adapters)
cli.add_command(dlq)
cli.add_command(nisuz)
cli.add_command(calendar)


def main() -> None:
    """Run the command line; a :class:`GatewayError` prints its sentence and exits 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except GatewayError as exc:
        click.secho(f"error [{exc.reason}]: {exc}", fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
