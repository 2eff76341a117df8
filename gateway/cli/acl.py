"""``gateway acl plan|apply``: the broker's ACLs derived from the declared exchange."""

from __future__ import annotations

import asyncio
from itertools import groupby
from pathlib import Path

import click

from gateway.acl import Acl, AclChanges, AclInputs, apply_acls, load_plan
from gateway.config import Settings
from gateway.kafka import BROKER, OPERATOR, connection_for

__all__ = ["acl", "acl_inputs", "render_changes"]


def acl_inputs(settings: Settings, topics_file: Path | None = None) -> AclInputs:
    """The plan's inputs as the settings name them."""
    return AclInputs(
        topics_file=topics_file or settings.topics_file,
        services_file=settings.services_file,
        worker_id=settings.worker_id,
        tls_dir=settings.tls_dir,
    )


def render_changes(changes: AclChanges, *, dry_run: bool) -> list[str]:
    """The lines ``apply`` prints; the last says whether anything changed."""
    verb = "would " if dry_run else ""
    lines = [f"{verb}create {a.describe()}" for a in changes.create]
    lines += [f"{verb}delete {a.describe()}" for a in changes.delete]
    if not changes.prune:
        lines += [
            f"drift: {a.describe()} (not in the plan; --prune removes it)" for a in changes.extra
        ]
    if changes.empty:
        lines.append(
            "no changes" + (f", {len(changes.extra)} drift reported" if changes.extra else "")
        )
    else:
        lines.append(
            f"{verb}create {len(changes.create)}, {verb}delete {len(changes.delete)}"
            + ("" if changes.prune else f", drift {len(changes.extra)}")
        )
    return lines


def _by_principal(plan: frozenset[Acl]) -> list[str]:
    lines: list[str] = []
    for principal, acls in groupby(sorted(plan), key=lambda a: a.principal):
        lines.append(f"{principal}:")
        lines += [f"  {a.describe()}" for a in acls]
    return lines


@click.group()
def acl() -> None:
    """Kafka ACLs as code: from topics.yaml, services.yaml and the adapters."""


@acl.command()
@click.option("--file", "topics_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--against-broker", is_flag=True, help="Also show what differs on the broker.")
@click.pass_obj
def plan(settings: Settings, topics_file: Path | None, against_broker: bool) -> None:
    """Print every binding each principal gets (and, with --against-broker, the drift)."""
    wanted = load_plan(acl_inputs(settings, topics_file))
    for line in _by_principal(wanted):
        click.echo(line)
    if against_broker:
        changes = asyncio.run(apply_acls(connection_for(settings, OPERATOR), wanted, dry_run=True))
        for line in render_changes(changes, dry_run=True):
            click.echo(line)


@acl.command()
@click.option("--file", "topics_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show the changes without making them.")
@click.option("--prune", is_flag=True, help="Delete bindings the plan does not hold.")
@click.pass_obj
def apply(settings: Settings, topics_file: Path | None, dry_run: bool, prune: bool) -> None:
    """Create the missing bindings; report (or with --prune delete) the extra ones.

    Runs as the broker's identity (the one super user: changing ACLs is the right to
    everything), so on the broker host.
    """
    wanted = load_plan(acl_inputs(settings, topics_file))
    changes = asyncio.run(
        apply_acls(connection_for(settings, BROKER), wanted, prune=prune, dry_run=dry_run)
    )
    for line in render_changes(changes, dry_run=dry_run):
        click.echo(line)
