"""``gateway schemas check|list|doc``: the versioned Avro schemas."""

from __future__ import annotations

from pathlib import Path

import click

from gateway.schemas import SchemaRegistry, main_check
from gateway.schemas.document import render_document, stale_sections

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


@schemas.command()
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=Path("docs/wire-format.md"),
    show_default=True,
    help="The document whose generated sections to write.",
)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the document is stale.")
def doc(path: Path, check: bool) -> None:
    """Write the fingerprint catalogue, message types and reason codes into the document."""
    registry = SchemaRegistry.load()
    text = path.read_text(encoding="utf-8")
    if check:
        stale = stale_sections(text, registry, file=str(path))
        if stale:
            click.echo(
                f"{path}: generated sections out of date: {', '.join(stale)}; "
                "run `gateway schemas doc`",
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"{path}: up to date")
        return
    rendered = render_document(text, registry, file=str(path))
    if rendered != text:
        path.write_text(rendered, encoding="utf-8")
        click.echo(f"{path}: generated sections rewritten")
    else:
        click.echo(f"{path}: up to date")
