"""Adapter runners as real processes against real reference servers, for one test's exchange.

The reference servers run in the test's event loop (real HTTP on loopback, SQLite state);
each runner is a ``gateway adapters run NAME --instance <this test's instance>`` process, so
it can be killed with SIGKILL. Waiting is on conditions of the servers' state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.envelope import routing_headers
from gateway.reference import DEFAULT_TOKEN, ReferenceServer
from gateway.worker.process import free_port, start_gateway_process
from tests.integration.exchange import Exchange, WorkerProcess

# small budgets so that the tests see retries, the circuit and dead letters quickly
FAST_RETRIES = {
    "RETRY_MAX_ATTEMPTS": "60",
    "RETRY_MAX_ELAPSED_S": "180",
    "BACKOFF_INITIAL_S": "0.2",
    "BACKOFF_MAX_S": "4",
    "CIRCUIT_FAILURES": "3",
    "CIRCUIT_RESET_S": "2",
    "TIMEOUT_S": "3",
}


@dataclass
class RunnerProcess(WorkerProcess):
    """A running ``gateway adapters run``: killed, stopped and read like a worker."""

    instance: str = ""


def adapter_env(exchange: Exchange, adapter: str, server: ReferenceServer) -> dict[str, str]:
    instance = exchange.adapters[adapter]
    prefix = f"GATEWAY_ADAPTER_{instance.upper().replace('-', '_')}_"
    settings = {"BASE_URL": server.url, "TOKEN": DEFAULT_TOKEN, **FAST_RETRIES}
    return {prefix + k: v for k, v in settings.items()}


def start_runner(
    exchange: Exchange, adapter: str, server: ReferenceServer, n: int = 0, **extra: str
) -> RunnerProcess:
    """``gateway adapters run ADAPTER --instance <instance>``; returns once it consumes."""
    instance = exchange.adapters[adapter]
    port = free_port()
    log = exchange.root / f"runner-{instance}-{n}.log"
    env = exchange.env(**adapter_env(exchange, adapter, server), **extra)
    proc = start_gateway_process(
        ["adapters", "run", adapter, "--instance", instance, "--web-port", str(port)],
        env,
        health_url=f"http://127.0.0.1:{port}/health",
        log=log,
    )
    return RunnerProcess(proc, port, log, instance)


async def until(
    condition: Callable[[], bool], *, timeout: float = 60.0, what: str = "condition"
) -> None:
    """Wait until ``condition()`` holds (checked every 50 ms), or fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)  # polling the server's state: it has no event to await


def sealed_request(exchange: Exchange, **over: Any) -> tuple[bytes, dict[str, Any]]:
    """A signed request of R to H, as the worker forwards it to the adapters: the bytes and
    the complete record (ids, time and requisites filled in)."""
    record, value = exchange.client(exchange.R).seal("Request", exchange.request(**over))
    return value, record


def forward_headers(kind: str, record: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    now = datetime.now(UTC)
    return [
        *routing_headers(kind, record),
        ("gateway.received_at", now.isoformat().encode()),
        ("gateway.deadline", (now + timedelta(days=1)).isoformat().encode()),
    ]
