"""The worker's ``/metrics``, ``/healthz`` and ``/readyz`` on a real worker and broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST

from tests.integration.exchange import (
    Exchange,
    Sample,
    WorkerProcess,
    make_exchange,
    parse_metrics,
    sample,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def exchange(
    tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("metrics")
    # a fresh app id: the counts below must not include a previous run's committed state
    ex = await make_exchange(root, kafka_bootstrap, uuid.uuid4().hex[:12])
    yield ex
    ex.stop_workers()


@pytest.fixture(scope="module")
def worker(exchange: Exchange) -> WorkerProcess:
    return exchange.start_worker()


async def _scrape(http: aiohttp.ClientSession, port: int) -> dict[Sample, float]:
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        text = await response.text()
    return parse_metrics(text)


async def _until(
    http: aiohttp.ClientSession, port: int, expected: Mapping[Sample, float], timeout: float
) -> dict[Sample, float]:
    """Scrape until every expected sample has at least its value; the last scrape."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        seen = await _scrape(http, port)
        if all(seen.get(k, 0) >= v for k, v in expected.items()) or loop.time() > end:
            return seen
        await asyncio.sleep(0.2)  # the poll interval of a scraper, not a synchronisation


async def test_metrics_count_exactly_what_the_worker_decided(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    ex = exchange
    async with ex.client(ex.R) as requester:
        for _ in range(3):
            await requester.send("Request", ex.request())
        for _ in range(2):
            bad = ex.request()
            bad["signer"] = {**bad["signer"], "surname": ""}
            await requester.send("Request", bad)

    expected = {
        sample("gateway_messages_received_total", kind="Request"): 5,
        sample("gateway_messages_accepted_total", kind="Request"): 3,
        sample("gateway_messages_rejected_total", reason="missing_field"): 2,
        sample("gateway_messages_routed_total", destination="rejected"): 2,
        sample("gateway_intake_to_routed_seconds_count"): 5,
        sample("gateway_open_cases"): 3,
    }
    async with aiohttp.ClientSession() as http:
        seen = await _until(http, worker.port, expected, timeout=60)
        assert {k: seen.get(k) for k in expected} == expected
        for destination in ("inbox", "events", "adapter"):
            assert seen[sample("gateway_messages_routed_total", destination=destination)] >= 3
        assert not [k for k in seen if k[0] == "gateway_overdue_cases"]
        assert [k for k in seen if k[0] == "gateway_messages_rejected_total"] == [
            sample("gateway_messages_rejected_total", reason="missing_field")
        ]

        async with http.get(f"http://127.0.0.1:{worker.port}/healthz") as response:
            assert response.status == 200
        async with http.get(f"http://127.0.0.1:{worker.port}/readyz") as response:
            assert (response.status, await response.json()) == (200, {"status": "ready"})
