"""The worker's ``/metrics``, ``/healthz`` and ``/readyz`` on a real worker and broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST

from tests.conftest import Broker
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
    tmp_path_factory: pytest.TempPathFactory, kafka_broker: Broker
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("metrics")
    # a fresh app id: the counts below must not include a previous run's committed state
    ex = await make_exchange(root, kafka_broker, uuid.uuid4().hex[:12])
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


async def test_consumer_lag_is_exported_per_group_and_partition(
    exchange: Exchange, worker: WorkerProcess
) -> None:
    """After the messages are consumed and committed, every outbox partition the worker's
    group has committed on is a series with lag 0, and the group has exactly one status."""
    ex = exchange
    async with ex.client(ex.R) as requester:
        await requester.send("Request", ex.request())
    outbox = f"exchange.outbox.{ex.R}"
    group = ex.worker_id

    def of_group(seen: Mapping[Sample, float], name: str) -> dict[Sample, float]:
        return {
            k: v
            for k, v in seen.items()
            if k[0] == name
            and dict(k[1])["group"] == group
            and dict(k[1]).get("topic") in (None, outbox)
        }

    def caught_up(seen: Mapping[Sample, float]) -> bool:
        lags = of_group(seen, "gateway_consumer_lag_messages")
        return (
            bool(lags)
            and not any(lags.values())
            and bool(of_group(seen, "gateway_consumer_group_status"))
        )

    async with aiohttp.ClientSession() as http:
        loop = asyncio.get_running_loop()
        end = loop.time() + 60
        seen = await _scrape(http, worker.port)
        while not caught_up(seen) and loop.time() < end:
            await asyncio.sleep(0.5)  # the lag monitor refreshes every second
            seen = await _scrape(http, worker.port)
    lags = of_group(seen, "gateway_consumer_lag_messages")
    assert lags, "no lag series of the worker's group on the outbox"
    assert set(lags.values()) == {0}
    statuses = {
        dict(k[1])["status"]: v for k, v in of_group(seen, "gateway_consumer_group_status").items()
    }
    assert set(statuses) == {"OK", "WARN", "STALL", "STOP", "REWIND", "UNKNOWN"}
    assert sum(statuses.values()) == 1
    assert statuses["STOP"] == statuses["STALL"] == statuses["REWIND"] == 0
    assert seen[sample("gateway_consumer_lag_age_seconds")] < 30
    seconds = of_group(seen, "gateway_consumer_lag_seconds")
    assert set(seconds) == {("gateway_consumer_lag_seconds", k[1]) for k in lags}
    assert set(seconds.values()) == {0}
