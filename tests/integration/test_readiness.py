"""``/readyz`` of a real worker follows its broker: ready, broker stopped -> 503
``broker_unavailable`` (``/healthz`` still 200: the process is alive), broker back -> ready.

The broker is the test's own (stopping the session's shared one would break other tests).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.brokers import gateway, own, own_broker
from tests.integration.exchange import make_exchange

__all__ = ["own_broker"]  # the fixture, used below

pytestmark = pytest.mark.integration


def _get(port: int, path: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, dict(json.load(r))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.load(exc))


async def _until_ready_is(port: int, status: int, timeout: float) -> dict[str, Any]:
    """Poll ``/readyz`` (as an orchestrator does) until it answers ``status``; its body."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    seen: list[tuple[int, dict[str, Any]]] = []
    while loop.time() < end:
        code, body = await asyncio.to_thread(_get, port, "/readyz")
        seen.append((code, body))
        if code == status:
            return body
        await asyncio.sleep(0.5)  # a probe's period, not a synchronisation
    raise AssertionError(f"/readyz never answered {status} in {timeout:.0f} s; last: {seen[-3:]}")


async def test_readyz_fails_while_the_broker_is_down_and_recovers(
    tmp_path: Path, own_broker: tuple[Path, int, int]
) -> None:
    home, port, cport = own_broker
    started = gateway(home, port, cport, "kafka", "up")
    assert started.returncode == 0, started.stderr
    root = tmp_path / "exchange"
    root.mkdir()
    ex = await make_exchange(root, own(home, port), uuid.uuid4().hex[:12])
    try:
        worker = ex.start_worker(GATEWAY_LAG_CHECK_S="1")
        ready = await _until_ready_is(worker.port, 200, timeout=90)
        assert ready == {"status": "ready"}

        down = gateway(home, port, cport, "kafka", "down")
        assert down.returncode == 0, down.stderr
        not_ready = await _until_ready_is(worker.port, 503, timeout=60)
        assert not_ready["reason"] == "broker_unavailable"
        assert _get(worker.port, "/healthz") == (200, {"status": "ok"})  # alive, not ready
        assert worker.proc.poll() is None

        again = gateway(home, port, cport, "kafka", "up")
        assert again.returncode == 0, again.stderr
        assert await _until_ready_is(worker.port, 200, timeout=120) == {"status": "ready"}
        assert worker.proc.poll() is None, worker.output()[-3000:]
    finally:
        ex.stop_workers()
        gateway(home, port, cport, "kafka", "down")
