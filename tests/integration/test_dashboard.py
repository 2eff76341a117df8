"""The dashboard in a real headless Chromium (Debian's, driven by Playwright) on a real worker.

It loads with no request leaving the worker (no CDN), refuses data without a valid token, shows
throughput, lag with a status colour and cases per body to an observer, shows the timeline of
a typed message id, hides the operator's replay from an observer, and saves a screenshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.adapters import decode_adapter_record
from gateway.adapters.dlq import dead_letter_output
from gateway.envelope import headers_dict
from gateway.exceptions import DeliveryError
from gateway.topics.names import adapter_dlq_topic, adapter_topic
from tests.conftest import ROOT, Broker
from tests.integration.exchange import (
    Exchange,
    WorkerProcess,
    make_exchange,
    now_utc,
    produce_raw,
    read_until,
)

pytestmark = pytest.mark.integration

OBSERVER = "observer-" + uuid.uuid4().hex
OPERATOR = "operator-" + uuid.uuid4().hex
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts"  # the screenshots of the last run (git ignores the folder)
# as the machine's notes advise: no background networking on a closed network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
async def exchange(
    tmp_path_factory: pytest.TempPathFactory, kafka_broker: Broker
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("dashboard")
    ex = await make_exchange(root, kafka_broker, uuid.uuid4().hex[:12])
    yield ex
    ex.stop_workers()


@pytest.fixture(scope="module")
def worker(exchange: Exchange) -> WorkerProcess:
    return exchange.start_worker(
        GATEWAY_DASHBOARD_OBSERVER_TOKEN=OBSERVER, GATEWAY_DASHBOARD_OPERATOR_TOKEN=OPERATOR
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; ./dev/setup installs it (as root)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def _api(
    port: int, path: str, token: str | None = None, post: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    data = None if post is None else json.dumps(post).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310
            return r.status, dict(json.load(r))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.load(exc))


async def _answered_case(ex: Exchange, worker: WorkerProcess) -> tuple[str, list[str]]:
    """A request answered by its holder; its request id and tracked stages once closed."""
    async with ex.client(ex.R) as requester:
        sent = await requester.send("Request", ex.request())
    async with ex.client(ex.H) as holder:
        async for item in holder.inbox(follow=True, idle_ms=500):
            if item.message and item.message.record.get("message_id") == sent.message_id:
                await holder.send("Response", ex.response(item.message.record))
                break

    async def closed() -> list[str]:
        while True:
            status, found = await asyncio.to_thread(
                _api, worker.port, f"/dashboard/api/track/{sent.message_id}", OBSERVER
            )
            stages = [e["stage"] for e in found.get("timeline", [])] if status == 200 else []
            if "closed" in stages:
                return stages
            await asyncio.sleep(0.2)  # the tracker consumes the events meanwhile

    return sent.message_id, await asyncio.wait_for(closed(), 60)


async def _dead_letter(ex: Exchange, message_id: str) -> str:
    """The portal record of ``message_id``'s request, dead-lettered as a runner would (HTTP
    400); its dead-letter id."""
    portal = ex.adapters["portal"]

    def mine(records: list[Any]) -> list[Any]:
        return [r for r in records if headers_dict(r.headers).get("message_id") == message_id]

    records = await read_until(ex.kafka, adapter_topic(portal), lambda rs: bool(mine(rs)))
    record = mine(records)[0]
    message = decode_adapter_record(
        ex.registry, record.value, headers=record.headers, key=record.key,
        topic=record.topic, partition=record.partition, offset=record.offset,
    )  # fmt: skip
    error = DeliveryError("400 invalid", retriable=False, code="invalid_value", status=400)
    letter = dead_letter_output(
        portal, message, error, attempts=1, first_attempt=now_utc(), last_attempt=now_utc(),
        original_headers=tuple(record.headers),
    )  # fmt: skip
    await produce_raw(ex.kafka, adapter_dlq_topic(portal), letter.value, letter.key, letter.headers)
    return message.idempotency_key


def test_no_token_no_data(exchange: Exchange, worker: WorkerProcess) -> None:
    for path in ("/dashboard/api/overview", "/dashboard/api/dlq", "/dashboard/api/track/x"):
        status, body = _api(worker.port, path)
        assert status == 401, (path, body)
        assert "token" in body["message"].lower()
        status, _ = _api(worker.port, path, token="wrong-" + OBSERVER)
        assert status == 401
    status, body = _api(worker.port, "/dashboard/api/overview", OBSERVER)
    assert status == 200
    assert body["worker"] == exchange.worker_id
    status, body = _api(worker.port, "/dashboard/api/whoami", OBSERVER)
    assert (status, body["role"]) == (200, "observer")
    # an action wants the operator's token: the observer's is refused before anything is read
    replay = {"adapter": exchange.adapters["portal"], "id": "x"}
    status, body = _api(worker.port, "/dashboard/api/dlq/replay", OBSERVER, post=replay)
    assert (status, body["error"]) == (403, "forbidden")
    status, body = _api(worker.port, "/dashboard/api/dlq/replay", OPERATOR, post=replay)
    assert (status, body["error"]) == (404, "unknown")
    # with tokens set, the worker's other case data wants one too
    assert _api(worker.port, "/track/x")[0] == 401
    assert _api(worker.port, "/track/x", OBSERVER)[0] == 404


@contextlib.asynccontextmanager
async def _page(chromium: str, base: str) -> AsyncIterator[Any]:
    """A Chromium page on ``base``; fails the test if the page fetched anything elsewhere."""
    from playwright.async_api import async_playwright  # noqa: PLC0415 -- test-only

    outside: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
            await page.goto(f"{base}/dashboard")
            yield page
        finally:
            await browser.close()
    assert outside == [], f"the page fetched from outside the worker: {outside}"


async def _sign_in(page: Any, token: str, role: str) -> None:
    from playwright.async_api import expect  # noqa: PLC0415 -- test-only

    await page.fill("#token", token)
    await page.click("#login")
    await expect(page.locator("#error")).to_be_hidden()
    await expect(page.locator("#role")).to_contain_text(role)


async def test_an_observer_sees_the_figures_and_a_timeline_in_chromium(
    exchange: Exchange, worker: WorkerProcess, chromium: str
) -> None:
    from playwright.async_api import expect  # noqa: PLC0415 -- test-only

    message_id, stages = await _answered_case(exchange, worker)
    async with _page(chromium, f"http://127.0.0.1:{worker.port}") as page:
        # a wrong token is refused, with the server's sentence, and shows no data
        await page.fill("#token", "wrong-" + OBSERVER)
        await page.click("#login")
        await expect(page.locator("#error")).to_be_visible()
        await expect(page.locator("#error")).to_contain_text("token")
        await expect(page.locator("#board")).to_be_hidden()
        assert await page.locator("#lag-rows tr").count() == 0
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / "dashboard-refused.png"))

        # the observer sees the figures
        await _sign_in(page, OBSERVER, "observer")
        lag_row = page.locator("#lag-rows tr", has_text=exchange.worker_id)
        await expect(lag_row).to_have_count(1, timeout=30_000)
        classes = await lag_row.get_attribute("class") or ""
        assert any(f"status-{c}" in classes for c in ("ok", "warn", "err", "unknown"))
        await expect(page.locator("#throughput")).to_be_visible()
        # a line needs two rates, so three samples (every 5 s) after the worker started
        await expect(page.locator("#sparkline polyline")).not_to_have_count(0, timeout=30_000)
        # the answered case makes its holder a ranked body (30 s: the rating's cache)
        await expect(page.locator("#rating-rows")).to_contain_text(exchange.H, timeout=45_000)

        # a typed message id shows the case's timeline, stage by stage
        await page.fill("#search-id", message_id)
        await page.click("#search-go")
        await expect(page.locator("#timeline li.stage")).to_have_count(len(stages))
        names = await page.locator("#timeline li.stage .stage-name").all_inner_texts()
        assert [n.strip() for n in names] == stages
        assert await page.locator("#dlq button.replay").count() == 0  # observers cannot act
        SHOTS.mkdir(exist_ok=True)
        shot = SHOTS / "dashboard.png"
        await page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"\ndashboard screenshot: {shot}")


async def test_an_operator_replays_a_dead_letter_in_chromium(
    exchange: Exchange, worker: WorkerProcess, chromium: str
) -> None:
    from playwright.async_api import expect  # noqa: PLC0415 -- test-only

    message_id, _ = await _answered_case(exchange, worker)
    ident = await _dead_letter(exchange, message_id)
    async with _page(chromium, f"http://127.0.0.1:{worker.port}") as page:
        await _sign_in(page, OPERATOR, "operator")
        row = page.locator("#dlq-rows tr", has_text=ident)
        await expect(row).to_have_count(1, timeout=30_000)  # the listing is cached 10 s
        await row.locator("button.replay").click()
        await expect(page.locator("#dlq-status")).to_contain_text("1", timeout=15_000)
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / "dashboard-replayed.png"))

    def replayed(records: list[Any]) -> bool:
        return any(
            headers_dict(r.headers).get("message_id") == message_id
            and "dlq.replayed_at" in headers_dict(r.headers)
            for r in records
        )

    portal_topic = adapter_topic(exchange.adapters["portal"])
    assert replayed(await read_until(exchange.kafka, portal_topic, replayed))
