"""``gateway schemas check|list``: the versioned Avro schemas."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.schemas import SchemaRegistry, main_check

__all__ = ["schemas"]


@click.group()
def schemas() -> None:
    """The Avro schemas of every message type."""


@schemas.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A schema folder (<Name>/v<N>.avsc) instead of the shipped one.",
)
def check(directory: Path | None) -> None:
    """Check every schema's versions are BACKWARD_TRANSITIVE compatible; exit 1 if not."""
    status = main_check(directory)
    if status:
        raise SystemExit(status)


@schemas.command(name="list")
def list_() -> None:
    """List every schema, its versions and the fingerprint of each (hex, as on the wire)."""
    registry = SchemaRegistry.load()
    for name in registry.names():
        for version in registry.versions(name):
            click.echo(f"{name:<14} v{version}  {registry.fingerprint(name, version).hex()}")
