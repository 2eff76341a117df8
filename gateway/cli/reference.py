"""``gateway reference serve NAME``: run a reference server of an external system locally."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import click

from gateway.config import Settings

__all__ = ["reference"]

NAMES = ("eqaror", "generic", "nisuz", "portal")
PORTS = {"eqaror": 8081, "nisuz": 8082, "portal": 8083, "generic": 8084}
"""Default ports: where the adapters' default ``base_url`` settings look."""
"""The servers' names; the same keys as ``gateway.reference.REFERENCE_SERVERS`` (a test checks)."""


@click.group()
def reference() -> None:
    """Reference servers of E-qaror, NIS.UZ, the state services portal, and a generic sink."""


async def _serve(name: str, host: str, port: int, db: Path, token: str) -> None:
    """Start the server, print where it listens, and serve until cancelled (Ctrl-C)."""
    from gateway.reference import REFERENCE_SERVERS  # noqa: PLC0415 -- aiohttp only for this command

    server = REFERENCE_SERVERS[name](db, token=token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # an ignored or blocked SIGINT is inherited across exec (a background job, a test runner):
    # this server stops on Ctrl-C and SIGTERM whatever its parent left
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start(host, port)
        click.echo(f"{name} reference server at {server.url} (state in {db}); Ctrl-C stops it")
        await stop.wait()
    finally:
        await server.stop()
        server.close()


@reference.command()
@click.argument("name", type=click.Choice(NAMES))
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port",
    type=int,
    default=None,
    help="port (0: a free one) [default: eqaror 8081, nisuz 8082, portal 8083, generic 8084]",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="SQLite file of the server's state [default: <home>/reference/NAME.sqlite]",
)
@click.option(
    "--token",
    envvar="GATEWAY_REFERENCE_TOKEN",
    default="reference-token",
    show_default=True,
    help="bearer token API requests must carry (also GATEWAY_REFERENCE_TOKEN)",
)
@click.pass_obj
def serve(
    settings: Settings, name: str, host: str, port: int | None, db: Path | None, token: str
) -> None:
    """Run the reference server NAME until Ctrl-C; its state survives a restart.

    The API is described in docs/openapi/NAME.yaml; /_reference/* injects faults, shows the
    counters and resets the state.
    """
    path = db if db is not None else settings.home / "reference" / f"{name}.sqlite"
    with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C before the handlers are in place
        asyncio.run(_serve(name, host, PORTS[name] if port is None else port, path, token))
    click.echo(f"{name} reference server stopped")
