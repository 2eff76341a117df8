"""The dashboard in a real headless Chromium (Debian's, driven by Playwright) on a real worker.

It loads with no request leaving the worker (no CDN), refuses data without a valid token, shows
throughput, lag with a status colour and cases per body to an observer, shows the timeline of
a typed message id, hides the operator's replay from an observer, and saves a screenshot.
"""

from __future__ import annotations

import asyncio
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

from tests.integration.exchange import Exchange, WorkerProcess, make_exchange

pytestmark = pytest.mark.integration

OBSERVER = "observer-" + uuid.uuid4().hex
OPERATOR = "operator-" + uuid.uuid4().hex
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
    tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str
) -> AsyncIterator[Exchange]:
    root: Path = tmp_path_factory.mktemp("dashboard")
    ex = await make_exchange(root, kafka_bootstrap, uuid.uuid4().hex[:12])
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


def _api(port: int, path: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
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


async def test_the_dashboard_in_chromium(
    exchange: Exchange, worker: WorkerProcess, chromium: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect  # noqa: PLC0415 -- test-only

    message_id, stages = await _answered_case(exchange, worker)
    base = f"http://127.0.0.1:{worker.port}"
    outside: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
            await page.goto(f"{base}/dashboard")

            # a wrong token is refused, with the server's sentence, and shows no data
            await page.fill("#token", "wrong-" + OBSERVER)
            await page.click("#login")
            await expect(page.locator("#error")).to_be_visible()
            await expect(page.locator("#error")).to_contain_text("token")
            await expect(page.locator("#board")).to_be_hidden()
            assert await page.locator("#lag-rows tr").count() == 0
            await page.screenshot(path=str(tmp_path / "dashboard-refused.png"))

            # the observer sees the figures
            await page.fill("#token", OBSERVER)
            await page.click("#login")
            await expect(page.locator("#error")).to_be_hidden()
            await expect(page.locator("#role")).to_contain_text("observer")
            lag_row = page.locator("#lag-rows tr", has_text=exchange.worker_id)
            await expect(lag_row).to_have_count(1, timeout=30_000)
            classes = await lag_row.get_attribute("class") or ""
            assert any(f"status-{c}" in classes for c in ("ok", "warn", "err", "unknown"))
            await expect(page.locator("#throughput")).to_be_visible()
            await expect(page.locator("#sparkline polyline")).not_to_have_count(0)
            # the answered case makes its holder a ranked body (30 s: the rating's cache)
            await expect(page.locator("#rating-rows")).to_contain_text(exchange.H, timeout=45_000)

            # a typed message id shows the case's timeline, stage by stage
            await page.fill("#search-id", message_id)
            await page.click("#search-go")
            items = page.locator("#timeline li.stage")
            await expect(items).to_have_count(len(stages))
            names = await page.locator("#timeline li.stage .stage-name").all_inner_texts()
            assert [n.strip() for n in names] == stages
            # an observer has no replay button
            assert await page.locator("#dlq button.replay").count() == 0
            shot = tmp_path / "dashboard.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            print(f"\ndashboard screenshot: {shot}")
        finally:
            await browser.close()
    assert outside == [], f"the page fetched from outside the worker: {outside}"
