"""``gateway lag``: are messages flowing, and where are they stuck? Consumer lag per group.

Each partition a group has committed on is observed (committed offset, log-end offset, lag in
messages, age of the oldest unconsumed message) and judged over a sliding window the way
LinkedIn's Burrow does (see :mod:`gateway.lag.status`). A single run takes a few observations
a short interval apart so the status rests on movement, not on one look; ``--watch`` keeps
refreshing and keeps the window across refreshes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

import click
import structlog
from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from gateway.config import Settings
from gateway.exceptions import BrokerError, ConfigError, SpecError
from gateway.kafka import OPERATOR, connection_for
from gateway.lag import (
    EvaluatorConfig,
    GroupStatus,
    LagCollector,
    LagEvaluator,
    Status,
    product_groups,
    report,
    utc_now,
)

__all__ = ["lag", "render_groups"]

log = structlog.get_logger(__name__)

_STYLE = {
    Status.OK: "bold green",
    Status.UNKNOWN: "dim",
    Status.WARN: "bold yellow",
    Status.STOP: "bold red",
    Status.STALL: "bold red",
    Status.REWIND: "bold magenta",
}


def _status(status: Status) -> Text:
    return Text(status.value, style=_STYLE[status])


def _number(value: float | None, fmt: str = "{:,}") -> str:
    return "-" if value is None else fmt.format(value)


def _group_table(g: GroupStatus) -> Table:
    title = Text.assemble(
        ("group ", "bold"), (g.group, "bold cyan"), "  ", _status(g.status),
        f"  lag {g.total_lag:,} msgs, oldest {_number(g.max_lag_seconds, '{:,.1f}')} s",
    )  # fmt: skip
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("topic", overflow="fold")
    for name in ("part", "committed", "end", "lag", "lag s"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("owner", overflow="fold")
    for p in g.partitions:
        c = p.current
        table.add_row(
            c.topic,
            str(c.partition),
            _number(c.committed),
            _number(c.end),
            _number(c.lag),
            _number(c.lag_seconds, "{:,.1f}"),
            _status(p.status),
            c.owner or "-",
        )
    if not g.partitions:
        table.add_row("(no committed offsets)", "", "", "", "", "", _status(g.status), "")
    return table


def render_groups(groups: Sequence[GroupStatus], observed_at: datetime) -> RenderableType:
    """One table per group (its status in the title, a row per partition), then why each
    partition that is not OK is judged so."""
    parts: list[RenderableType] = [Text(f"observed at {observed_at:%Y-%m-%d %H:%M:%S %Z}")]
    for g in groups:
        parts.append(_group_table(g))
        parts.extend(
            Text.assemble(
                f"  {p.current.topic}[{p.current.partition}] ", _status(p.status), f" {p.detail}"
            )
            for p in g.partitions
            if p.status is not Status.OK
        )
    return Group(*parts)


def _product_groups(settings: Settings) -> tuple[str, ...]:
    try:
        return product_groups(settings)
    except SpecError as exc:
        raise ConfigError(
            f"the gateway's consumer groups come from the topics file's adapters: {exc.message}",
            hint="set GATEWAY_TOPICS_FILE to the topics file, or name groups with --group "
            "(or --all)",
        ) from exc


class _Refresher:
    """One collector and one evaluator for the whole command: the window survives refreshes."""

    def __init__(
        self, collector: LagCollector, evaluator: LagEvaluator, groups: Sequence[str] | None
    ) -> None:
        self.collector = collector
        self.evaluator = evaluator
        self.groups = groups  # None: every group on the cluster, listed at each refresh

    async def __call__(self) -> tuple[datetime, tuple[GroupStatus, ...]]:
        names = self.groups if self.groups is not None else await self.collector.list_groups()
        snapshot = await self.collector.collect(names)
        self.evaluator.observe(snapshot)
        return snapshot.observed_at, self.evaluator.statuses()


async def _once(refresh: _Refresher, samples: int, interval: float, as_json: bool) -> None:
    for i in range(samples):
        if i:
            await asyncio.sleep(interval)  # the observations must be spread in time
        at, statuses = await refresh()
    if as_json:
        click.echo(json.dumps(report(at, statuses), indent=2))
    else:
        Console().print(render_groups(statuses, at))


async def _watch(refresh: _Refresher, interval: float, as_json: bool) -> None:
    """Refresh every ``interval`` seconds until interrupted; a failed refresh is shown (or
    logged, with --json) and tried again at the next one, the window kept."""
    live = None if as_json else Live(console=Console(), auto_refresh=False)
    with live if live is not None else contextlib.nullcontext():
        while True:
            try:
                at, statuses = await refresh()
            except BrokerError as exc:
                log.warning("lag_refresh_failed", reason=exc.reason.value, error=exc.message)
                if live is not None:
                    live.update(Text(f"{utc_now():%H:%M:%S} {exc}", style="red"), refresh=True)
            else:
                if live is not None:
                    live.update(render_groups(statuses, at), refresh=True)
                else:
                    click.echo(json.dumps(report(at, statuses)))
            await asyncio.sleep(interval)  # pacing the refreshes


async def _run(
    settings: Settings,
    groups: Sequence[str] | None,
    config: EvaluatorConfig,
    *,
    watch: bool,
    samples: int,
    interval: float,
    as_json: bool,
) -> None:
    async with LagCollector(connection_for(settings, OPERATOR)) as collector:
        refresh = _Refresher(collector, LagEvaluator(config), groups)
        if watch:
            await _watch(refresh, interval, as_json)
        else:
            await _once(refresh, samples, interval, as_json)


@click.command()
@click.option("--all", "all_groups", is_flag=True, help="Every consumer group on the cluster.")
@click.option(
    "--group", "groups", multiple=True, help="A group to show (repeatable), not the product's."
)
@click.option("--json", "as_json", is_flag=True, help="Machine output (one document per refresh).")
@click.option("--watch", is_flag=True, help="Refresh in place until interrupted.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between observations [default: 1, or 5 with --watch].",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Observations a single run takes before it reports.",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Observations kept per partition (the sliding window).",
)
@click.option(
    "--stop-after",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds without a new commit after which a lagging partition is STOP (or STALL).",
)
@click.pass_obj
def lag(
    settings: Settings,
    all_groups: bool,
    groups: tuple[str, ...],
    as_json: bool,
    watch: bool,
    interval: float | None,
    samples: int,
    window: int,
    stop_after: float,
) -> None:
    """Consumer lag per group and partition, with Burrow-style statuses.

    Groups: the worker's (GATEWAY_WORKER_ID) and each adapter's (gateway-adapter-<name>, from
    the topics file) unless --group or --all says otherwise. Statuses: OK, WARN (lag grows),
    STALL (a live consumer does not advance), STOP (commits stopped), REWIND (offset went
    back), UNKNOWN (too few observations yet).
    """
    if all_groups and groups:
        raise click.UsageError("give --all or --group, not both")
    wanted = None if all_groups else (groups or _product_groups(settings))
    min_observations = min(window, samples if not watch else 3)
    config = EvaluatorConfig(
        window=window,
        min_observations=min_observations,
        stop_after=timedelta(seconds=stop_after),
    )
    every = interval if interval is not None else (5.0 if watch else 1.0)
    asyncio.run(
        _run(
            settings,
            wanted,
            config,
            watch=watch,
            samples=samples,
            interval=every,
            as_json=as_json,
        )
    )
