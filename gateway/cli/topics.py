"""``gateway topics apply|show``: topics as code against a real cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from gateway.config import Settings
from gateway.exceptions import BrokerError
from gateway.kafka import OPERATOR, connection_for, start_client
from gateway.topics import Plan, apply_plan, describe_topics, load_topics, plan_topics

__all__ = ["render_plan", "topics"]


def render_plan(plan: Plan, *, dry_run: bool) -> list[str]:
    """The lines ``apply`` prints; the last one always says whether anything changed."""
    verb = "would " if dry_run else ""
    lines = [
        f"{verb}create {t.name} (partitions={t.partitions}, "
        f"replication_factor={t.replication_factor})"
        for t in plan.create
    ]
    lines += [f"{verb}change {c.topic}: {c.key} {c.old} -> {c.new}" for c in plan.change]
    lines += [
        f"drift {d.topic}: {d.what} is {d.actual}, file wants {d.wanted} (not applied: {d.reason})"
        for d in plan.drift
    ]
    if plan.has_changes:
        lines.append(
            f"{verb}create {len(plan.create)}, {verb}change {len(plan.change)}, "
            f"drift {len(plan.drift)}, unchanged {len(plan.unchanged)}"
        )
    else:
        lines.append(
            f"no changes: {len(plan.unchanged)} topics as declared"
            + (f", {len(plan.drift)} drift reported" if plan.drift else "")
        )
    return lines


async def apply_topics(settings: Settings, file: Path, *, dry_run: bool) -> list[str]:
    """Apply (or plan) the topics file on the broker; returns the plan as printed lines."""
    spec = load_topics(file)
    connection = connection_for(settings, OPERATOR)
    admin = connection.admin()
    try:
        await start_client(connection, admin)
        plan, actual = await plan_topics(admin, spec.topics)
        if not dry_run:
            await apply_plan(admin, plan, actual)
    except KafkaError as exc:
        raise BrokerError(
            f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}",
            hint="start it with `gateway kafka up` or set GATEWAY_KAFKA_BOOTSTRAP",
        ) from exc
    finally:
        await admin.close()
    return render_plan(plan, dry_run=dry_run)


_file_option = click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path),
    default=None,
    help="The topics file [default: GATEWAY_TOPICS_FILE or topics.yaml].",
)


@click.group()
def topics() -> None:
    """Declare topics in topics.yaml and make the cluster match."""


@topics.command()
@_file_option
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.pass_obj
def apply(settings: Settings, file: Path | None, dry_run: bool) -> None:
    """Create missing topics, apply safe config changes, report drift; never delete."""
    for line in asyncio.run(apply_topics(settings, file or settings.topics_file, dry_run=dry_run)):
        click.echo(line)


async def _show(settings: Settings, file: Path) -> list[tuple[str, str, str, str]]:
    spec = load_topics(file)
    names = [t.name for t in spec.topics]
    connection = connection_for(settings, OPERATOR)
    admin = connection.admin()
    consumer = connection.consumer()
    try:
        await start_client(connection, admin)
        actual = await describe_topics(admin, names)
        await start_client(connection, consumer)
        parts = [TopicPartition(n, p) for n, a in actual.items() for p in range(a.partitions)]
        ends = await consumer.end_offsets(parts) if parts else {}
        begins = await consumer.beginning_offsets(parts) if parts else {}
    except KafkaError as exc:
        raise BrokerError(f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}") from exc
    finally:
        await consumer.stop()
        await admin.close()
    rows = []
    for name in names:
        a = actual.get(name)
        if a is None:
            rows.append((name, "-", "-", "missing"))
            continue
        count = sum(ends[tp] - begins[tp] for tp in parts if tp.topic == name)
        rows.append((name, str(a.partitions), str(a.replication_factor), f"{count} messages"))
    return rows


@topics.command()
@_file_option
@click.pass_obj
def show(settings: Settings, file: Path | None) -> None:
    """Show every declared topic: partitions, replicas and how many messages it holds."""
    rows = asyncio.run(_show(settings, file or settings.topics_file))
    width = max(len(r[0]) for r in rows)
    click.echo(f"{'topic'.ljust(width)}  partitions  replicas  state")
    for name, parts, rf, state in rows:
        click.echo(f"{name.ljust(width)}  {parts:>10}  {rf:>8}  {state}")
