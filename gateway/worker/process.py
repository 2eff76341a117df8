"""Running ``gateway worker`` or ``gateway adapters run`` as a child process: the demo and the
tests use them the same way."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from gateway.exceptions import GatewayError

__all__ = ["free_port", "start_gateway_process", "start_worker_process", "stop_worker_process"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now, for a child process's web view."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_worker_process(
    env: Mapping[str, str],
    *,
    web_host: str,
    web_port: int,
    log: Path,
    args: Sequence[str] = (),
    timeout: float = 90.0,
) -> subprocess.Popen[bytes]:
    """Start a worker whose output goes to ``log``; return once its web view answers.

    Raises :class:`GatewayError` naming the log when the worker exits or does not answer in
    ``timeout`` seconds (the process is stopped then).
    """
    return start_gateway_process(
        ["worker", *args],
        env,
        health_url=f"http://{web_host}:{web_port}/health",
        log=log,
        timeout=timeout,
    )


def start_gateway_process(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    health_url: str,
    log: Path,
    timeout: float = 90.0,
) -> subprocess.Popen[bytes]:
    """Start ``gateway ARGS`` with output to ``log``; return once ``health_url`` answers."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *args],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if not health_url.startswith("http://"):
        raise GatewayError(f"health URL {health_url!r} must be http://")
    url = health_url
    what = " ".join(args[:2])
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise GatewayError(f"`gateway {what}` exited with {proc.returncode}; see {log}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):  # noqa: S310
            return proc
        if time.monotonic() > deadline:
            stop_worker_process(proc)
            raise GatewayError(f"`gateway {what}` did not answer in {timeout:.0f} s; see {log}")
        time.sleep(0.1)  # polling a port that is not open yet: there is no event to await


def stop_worker_process(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """Stop a worker gracefully (SIGTERM), or kill it after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace)
