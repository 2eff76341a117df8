"""The adapters' part of ``gateway demo``: reference servers, the runners, and what each
external system received (portal statuses, an E-qaror registration, NIS.UZ statistics)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from gateway.adapters.settings import env_prefix
from gateway.calendar import default_calendar
from gateway.config import Settings
from gateway.exceptions import GatewayError
from gateway.reference import DEFAULT_TOKEN, REFERENCE_SERVERS, ReferenceServer
from gateway.schemas import SchemaRegistry
from gateway.statistics import compute_report, send_report
from gateway.worker import stop_worker_process
from gateway.worker.process import free_port, start_gateway_process

__all__ = ["DemoAdapters", "adapters_running"]

ADAPTERS = ("eqaror", "nisuz", "portal")
T = TypeVar("T")


async def _eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """The first non-None ``probe()``; a clear error after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (found := probe()) is None:
        if loop.time() > end:
            raise GatewayError(f"the demo waited {timeout:.0f} s for {what} in vain")
        await asyncio.sleep(0.1)  # polling a reference server's state: no event to await
    return found


@dataclass
class DemoAdapters:
    """The running reference servers, by adapter name."""

    settings: Settings
    servers: dict[str, ReferenceServer]

    async def show_portal(self, case_id: str) -> None:
        portal = self.servers["portal"]

        def statuses() -> list[dict[str, Any]] | None:
            rows = portal.store.query(
                "SELECT status FROM statuses WHERE case_id = ? ORDER BY position", case_id
            )
            found = [json.loads(row["status"]) for row in rows]
            return found if len(found) >= 4 else None

        click.secho("the unified portal: what the applicant sees (Uzbek / Russian)", bold=True)
        for status in await _eventually(statuses, "the portal's four statuses"):
            click.echo(f"  {status['stage']:<15} {status['text']['uz']}")
            click.echo(f"  {'':<15} {status['text']['ru']}")

    async def show_eqaror(self, notice: Mapping[str, Any]) -> None:
        detail = notice["detail"]
        click.secho("E-qaror: the draft decision registered and agreed", bold=True)
        click.echo(f"    registration number: {detail.get('registration_number')}")
        click.echo(f"    agreement: {detail.get('agreement')} ({detail.get('eqaror_kind')})")
        click.echo("    the requester was told by a gateway-signed notice in its inbox")

    async def show_nisuz(self, holder: str, service: str) -> None:
        settings, nisuz = self.settings, self.servers["nisuz"]
        today = default_calendar().to_local(datetime.now(UTC)).date()
        report: dict[str, Any] = {}
        for _ in range(60):  # the tracker counts the answer moments after it is routed
            report = await compute_report(settings, today, today)
            row = _row(report["rows"], holder, service)
            if row and row["answered_on_time"] + row["answered_late"] > 0:
                break
            await asyncio.sleep(0.5)  # the statistics table is written asynchronously
        await send_report(settings, SchemaRegistry.load(), report)
        stamp = report["generated_at"].isoformat()

        def stored() -> dict[str, Any] | None:
            rows = nisuz.store.query(
                "SELECT report FROM reports WHERE report_id = ?", report["report_id"]
            )
            found = json.loads(rows[0]["report"]) if rows else None
            same = found and datetime.fromisoformat(found["generated_at"]) == report["generated_at"]
            return found if same else None

        got = await _eventually(stored, "NIS.UZ to store the report")
        click.secho(f"NIS.UZ: today's statistics ({got['report_id']}, {stamp})", bold=True)
        for row in got["rows"]:
            click.echo(
                f"    {row['body']} {row['service']}: received {row['received']}, on time "
                f"{row['answered_on_time']}, late {row['answered_late']}, refused "
                f"{row['refused']}, overdue now {row['overdue_now']}, median "
                f"{row['median_answer_hours']} h, p95 {row['p95_answer_hours']} h"
            )


def _row(rows: list[dict[str, Any]], body: str, service: str) -> dict[str, Any] | None:
    return next((r for r in rows if (r["body"], r["service"]) == (body, service)), None)


@contextlib.asynccontextmanager
async def adapters_running(settings: Settings) -> AsyncIterator[DemoAdapters]:
    """Reference servers of the three systems, and ``gateway adapters run`` for all three."""
    folder = settings.home / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    servers = {name: REFERENCE_SERVERS[name](folder / f"{name}.sqlite") for name in ADAPTERS}
    env = dict(os.environ)
    for name, server in servers.items():
        await server.start()
        env[env_prefix(name) + "BASE_URL"] = server.url
        env[env_prefix(name) + "TOKEN"] = DEFAULT_TOKEN
    port = free_port()
    proc = start_gateway_process(
        ["adapters", "run", *ADAPTERS, "--web-port", str(port)],
        env,
        health_url=f"http://127.0.0.1:{port}/health",
        log=settings.home / "demo-adapters.log",
    )
    click.secho("adapters running", bold=True)
    for name, server in servers.items():
        click.echo(f"    {name}: reference server at {server.url}")
    try:
        yield DemoAdapters(settings, servers)
    finally:
        stop_worker_process(proc)
        for server in servers.values():
            await server.stop()
            server.close()
