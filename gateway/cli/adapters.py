"""``gateway adapters`` (list, run, new), ``gateway dlq`` (list, replay), ``gateway nisuz``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from gateway.config import Settings
from gateway.exceptions import ConfigError, GatewayError
from gateway.kafka import adapter_identity, connection_for

if TYPE_CHECKING:  # the commands import the adapters' modules only when they run
    from gateway.adapters.dlq import DeadLetter

__all__ = ["adapters", "dlq", "nisuz"]


def _config_file(ctx: click.Context) -> Path | None:
    root = ctx.find_root()
    value = root.params.get("config_file")
    return value if isinstance(value, Path) else None


@click.group()
def adapters() -> None:
    """Adapters to external systems: list them, run them, scaffold a new one."""


@adapters.command("list")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
@click.pass_context
def list_adapters(ctx: click.Context, as_json: bool) -> None:
    """Installed adapters (entry-point group gateway.adapters) and their targets."""
    from gateway.adapters import AdapterRegistry, load_adapter_settings  # noqa: PLC0415
    from gateway.adapters.settings import env_prefix  # noqa: PLC0415

    registry = AdapterRegistry.discover()
    rows = []
    for name in registry.names():
        cls = registry.adapters[name]
        try:
            target = load_adapter_settings(cls.settings_class, name, _config_file(ctx)).url
        except ConfigError as exc:
            target = f"misconfigured: {exc.message}"
        rows.append(
            {
                "name": name,
                "class": registry.origins[name],
                "target": target,
                "env_prefix": env_prefix(name),
            }
        )
    rows += [
        {"name": n, "class": "", "target": f"unusable: {why}", "env_prefix": ""}
        for n, why in registry.broken.items()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("adapter", "class", "target", "settings")
    for row in rows:
        table.add_row(row["name"], row["class"], row["target"], row["env_prefix"] + "*")
    Console().print(table)


@adapters.command("run")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--instance",
    default=None,
    help="run the one adapter NAME under this name: its topic, group, dead letters, settings",
)
@click.option("--web-port", type=int, default=None, help="serve /health on this port")
@click.pass_context
def run_adapters(
    ctx: click.Context, names: tuple[str, ...], instance: str | None, web_port: int | None
) -> None:
    """Run the runners of adapters NAMES (each in its own consumer group) until stopped."""
    from gateway.adapters.build import build_runners, run_until_signalled  # noqa: PLC0415

    settings: Settings = ctx.obj
    runners = build_runners(settings, list(names), instance=instance, config_file=_config_file(ctx))
    shown = ", ".join(r.name for r in runners)
    click.echo(f"delivering for {shown}; Ctrl-C stops after the attempts in flight", err=True)
    asyncio.run(run_until_signalled(runners, web_host=settings.worker_web_host, web_port=web_port))


@adapters.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    help="where to create gateway-adapter-NAME/ (default: here)",
)
def new_adapter(name: str, parent: Path) -> None:
    """Scaffold a working adapter package NAME with its contract tests."""
    from gateway.adapters.scaffold import scaffold  # noqa: PLC0415

    root = scaffold(name, parent)
    click.echo(f"created {root}; next: cd {root} && pip install -e '.[test]' && pytest")


@click.group()
def dlq() -> None:
    """Dead letters: what an adapter could not deliver within its retry budget."""


def _letters(settings: Settings, name: str) -> list[DeadLetter]:
    from gateway.adapters.dlq import read_letters  # noqa: PLC0415

    return asyncio.run(read_letters(connection_for(settings, adapter_identity(name)), name))


@dlq.command("list")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
@click.pass_obj
def list_dlq(settings: Settings, name: str, as_json: bool) -> None:
    """Dead letters of adapter NAME, oldest first."""
    from gateway.adapters.dlq import summary  # noqa: PLC0415

    letters = _letters(settings, name)
    rows = [dict(summary(x)) for x in letters]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no dead letters for {name}")
        return
    table = Table("offset", "id", "kind", "reason", "code", "status", "attempts", "last attempt")
    for row in rows:
        table.add_row(
            row["offset"],
            row["id"],
            row["kind"],
            row["reason"],
            row["code"],
            row["status"],
            row["attempts"],
            row["last_attempt_at"],
        )
    Console().print(table)


@dlq.command("replay")
@click.argument("name")
@click.option("--id", "ident", default=None, help="replay the dead letter of this message id")
@click.option("--all", "replay_all", is_flag=True, help="replay every dead letter")
@click.pass_obj
def replay_dlq(settings: Settings, name: str, ident: str | None, replay_all: bool) -> None:
    """Put dead letters of adapter NAME back on its topic; the runner delivers them again.

    Replaying what was already delivered is harmless: the target sees the same idempotency key.
    """
    from gateway.adapters.dlq import choose, replay_output  # noqa: PLC0415
    from gateway.worker.delivery import deliver_once  # noqa: PLC0415

    if (ident is None) == (not replay_all):
        raise click.UsageError("give exactly one of --id ID or --all")
    chosen = choose(_letters(settings, name), ident)  # one replay per message, its newest
    if ident is not None and not chosen:
        raise GatewayError(
            f"no dead letter of {name} has id {ident}",
            hint=f"`gateway dlq list {name}` shows the ids",
        )
    now = datetime.now(UTC)
    outputs = [replay_output(name, x, at=now) for x in chosen]

    asyncio.run(
        deliver_once(
            connection_for(settings, adapter_identity(name)),
            outputs,
            client_id=f"dlq-replay-{name}",
        )
    )
    click.echo(f"replayed {len(outputs)} dead letter(s) of {name} onto exchange.adapter.{name}")


@click.group()
def nisuz() -> None:
    """NIS.UZ: e-service delivery statistics (decision 002)."""


@nisuz.command("report")
@click.option(
    "--period",
    default="today",
    show_default=True,
    help="today, yesterday, month, YYYY-MM-DD, YYYY-MM or FROM..TO (Tashkent dates)",
)
@click.option("--dry-run", is_flag=True, help="print the report, do not send it to NIS.UZ")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.pass_obj
def nisuz_report(settings: Settings, period: str, dry_run: bool, as_json: bool) -> None:
    """Compute the statistics of PERIOD and hand them to the NIS.UZ adapter."""
    from gateway.calendar import default_calendar  # noqa: PLC0415
    from gateway.schemas import SchemaRegistry  # noqa: PLC0415
    from gateway.statistics import (  # noqa: PLC0415
        compute_report,
        parse_period,
        report_json,
        send_report,
    )

    today = default_calendar().to_local(datetime.now(UTC)).date()
    try:
        first, last = parse_period(period, today)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None

    async def run() -> dict[str, object]:
        report = await compute_report(settings, first, last)
        if not dry_run:
            await send_report(settings, SchemaRegistry.load(), report)
        return report

    report = report_json(asyncio.run(run()))
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        table = Table(
            "body",
            "service",
            "received",
            "on time",
            "late",
            "refused",
            "overdue now",
            "median h",
            "p95 h",
            title=f"{report['report_id']}",
        )
        for row in report["rows"]:
            table.add_row(
                *(
                    str(row[k])
                    for k in (
                        "body",
                        "service",
                        "received",
                        "answered_on_time",
                        "answered_late",
                        "refused",
                        "overdue_now",
                        "median_answer_hours",
                        "p95_answer_hours",
                    )
                )
            )
        Console().print(table)
    if not dry_run:
        click.echo(f"handed to the NIS.UZ adapter (exchange.adapter.{settings.nisuz_adapter})")
