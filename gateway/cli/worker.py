"""``gateway worker`` (the exchange pipeline) and ``gateway track`` (a case's timeline)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import click

from gateway.calendar import default_calendar
from gateway.config import Settings
from gateway.exceptions import GatewayError

__all__ = ["track", "worker"]


@click.command()
@click.option("--web-port", type=int, default=None, help="port of the web view (default 6066)")
@click.pass_obj
def worker(settings: Settings, web_port: int | None) -> None:
    """Run the exchange pipeline: intake, authorisation, deadlines, routing, tracking."""
    import faust  # noqa: PLC0415 -- Faust is heavy; only this command needs it

    from gateway.worker.app import build_worker  # noqa: PLC0415

    if web_port is not None:
        settings = settings.model_copy(update={"worker_web_port": web_port})
    built = build_worker(settings)
    faust.Worker(
        built.app,
        loglevel=settings.log_level.upper(),
    ).execute_from_commandline()


def _fetch(settings: Settings, ident: str) -> dict[str, Any]:
    url = f"http://{settings.worker_web_host}:{settings.worker_web_port}/track/{ident}"
    request = urllib.request.Request(url)
    token = settings.dashboard_operator_token or settings.dashboard_observer_token
    if token is not None:  # a worker with dashboard tokens answers /track only with one
        request.add_header("Authorization", f"Bearer {token.get_secret_value()}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return dict(json.load(answer))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise GatewayError(
                f"no case or message {ident} is known to the worker",
                hint="check the id; a message the gateway rejected has no case (see "
                "exchange.rejected)",
            ) from None
        if exc.code in (401, 403):
            raise GatewayError(
                f"the worker refused {url} ({exc.code}): it wants a dashboard token",
                hint="set GATEWAY_DASHBOARD_OBSERVER_TOKEN to the worker's observer token",
            ) from None
        raise GatewayError(f"the worker answered {exc.code} for {url}") from None
    except OSError as exc:
        raise GatewayError(
            f"cannot reach the worker's web view at {url}: {exc}",
            hint="start `gateway worker`, or set GATEWAY_WORKER_WEB_HOST/PORT to where it runs",
        ) from None


@click.command()
@click.argument("ident")
@click.option("--json", "as_json", is_flag=True, help="print the case as JSON")
@click.pass_obj
def track(settings: Settings, ident: str, as_json: bool) -> None:
    """Print where a case stands: its state, deadline and every lifecycle event.

    IDENT is a case id or the id of any message of the case.
    """
    found = _fetch(settings, ident)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    case = found.get("case") or {}
    click.echo(f"case {found['case_id']}")
    if case:
        click.echo(
            f"  service {case['service']}: {case['requester']} -> {case['holder']}, "
            f"status {case['status']}"
        )
        due = case.get("due_at")
        click.echo(f"  due {_tashkent(due) if due is not None else 'none (exempt)'}")
    for event in found["timeline"]:
        deadline = f"  due {event['deadline']}" if event.get("deadline") else ""
        if event["stage"] == "deadline_changed":
            deadline += f" (was {event['detail'].get('old_due', '?')})"
        click.echo(
            f"  {event['at']}  {event['stage']:<10} by {event['actor']}"
            f"  ({event['detail'].get('type', '')} {event['message_id']}){deadline}"
        )


def _tashkent(epoch_ms: int) -> str:
    """A case's deadline (epoch milliseconds in the table) as Tashkent time."""
    at = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return default_calendar().to_local(at).isoformat()
