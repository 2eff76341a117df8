"""The dashboard wired into a real Faust app's web server, on 127.0.0.1 (no Kafka needed)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from importlib import resources

import faust
import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.dashboard import PATHS, Tokens, wire_dashboard
from gateway.dashboard.assets import ASSETS, Assets
from tests.unit.dashboard.conftest import OBSERVER, OPERATOR, FixedSource


@pytest.fixture
async def client(source: FixedSource, tokens: Tokens) -> AsyncIterator[TestClient]:
    app = faust.App("dashboard-test", broker="memory://", web_in_thread=False)
    wire_dashboard(app, source, tokens)
    app.web.init_server()
    async with TestClient(TestServer(app.web.web_app, host="127.0.0.1")) as test_client:
        yield test_client


def test_every_path_is_registered() -> None:
    app = faust.App("dashboard-paths", broker="memory://", web_in_thread=False)
    wire_dashboard(app, FixedSource(), Tokens(observer="x"))
    assert set(PATHS) <= set(app.web.views)


async def test_page_is_served_without_a_token_with_security_headers(client: TestClient) -> None:
    response = await client.get("/dashboard")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'id="token"' in await response.text()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("app.js", "text/javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")],
)
async def test_static_files(client: TestClient, name: str, content_type: str) -> None:
    response = await client.get(f"/dashboard/static/{name}")
    assert response.status == 200
    assert response.content_type == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        await response.read()
        == (resources.files("gateway.dashboard") / "static" / name).read_bytes()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/static/nope.js",
        "/dashboard/static/..%2Fweb.py",
        "/dashboard/static/%2E%2E%2F__init__.py",
        "/dashboard/static/index.html",
        "/dashboard/static/../web.py",
    ],
)
async def test_static_refuses_unknown_names(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404
    assert b"wire_dashboard" not in await response.read()


def test_assets_only_know_listed_names() -> None:
    assets = Assets.load()
    assert assets.get("app.js") is not None
    for name in ("../web.py", "web.py", "static/app.js", "", "APP.JS"):
        assert assets.get(name) is None
    assert set(ASSETS) == {"index.html", "app.js", "style.css", "favicon.svg"}


async def test_api_refuses_without_a_token(client: TestClient) -> None:
    for path in ("overview", "dlq", "whoami", "track/m-1"):
        response = await client.get(f"/dashboard/api/{path}")
        assert response.status == 401, path
        assert response.headers["Cache-Control"] == "no-store"
        body = await response.json()
        assert body["error"] == "missing_token"


async def test_api_refuses_when_no_token_is_configured(source: FixedSource) -> None:
    app = faust.App("dashboard-closed", broker="memory://", web_in_thread=False)
    wire_dashboard(app, source, Tokens())
    app.web.init_server()
    async with TestClient(TestServer(app.web.web_app, host="127.0.0.1")) as test_client:
        response = await test_client.get(
            "/dashboard/api/overview", headers={"Authorization": OBSERVER}
        )
        assert response.status == 403
        assert "GATEWAY_DASHBOARD_OPERATOR_TOKEN" in (await response.json())["message"]


async def test_overview_and_track(client: TestClient) -> None:
    headers = {"Authorization": OBSERVER}
    response = await client.get("/dashboard/api/overview", headers=headers)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content_type == "application/json"
    assert (await response.json())["generated_at"].startswith("2025-03-03")
    response = await client.get("/dashboard/api/track/m-1", headers=headers)
    assert response.status == 200
    assert [e["stage"] for e in (await response.json())["timeline"]] == ["received", "accepted"]
    response = await client.get("/dashboard/api/track/m-404", headers=headers)
    assert response.status == 404
    assert (await response.json())["error"] == "unknown"


async def test_replay_over_http(client: TestClient, source: FixedSource) -> None:
    payload = {"adapter": "portal", "id": "dl-1"}
    response = await client.post(
        "/dashboard/api/dlq/replay", json=payload, headers={"Authorization": OBSERVER}
    )
    assert response.status == 403
    response = await client.post(
        "/dashboard/api/dlq/replay", json=payload, headers={"Authorization": OPERATOR}
    )
    assert response.status == 200
    assert (await response.json())["replayed"] == 1
    response = await client.post(
        "/dashboard/api/dlq/replay", data=b"{oops", headers={"Authorization": OPERATOR}
    )
    assert response.status == 400
    assert source.replayed == [("portal", "dl-1")]


async def test_replay_is_post_only(client: TestClient) -> None:
    response = await client.get("/dashboard/api/dlq/replay", headers={"Authorization": OPERATOR})
    assert response.status == 405


def _static(name: str) -> str:
    return (resources.files("gateway.dashboard") / "static" / name).read_text("utf-8")


def test_page_has_no_inline_code_or_external_assets() -> None:
    html = _static("index.html")
    assert "style=" not in html
    assert "<style" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/dashboard/static/app.js" defer>']
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers
    for name in ASSETS:
        text = _static(name)
        assert re.search(r"(src|href)=\"(https?:)?//", text) is None, name
        assert "@import" not in text
        assert "url(http" not in text


def test_page_has_the_ids_the_browser_test_uses() -> None:
    html = _static("index.html")
    for ident in (
        "token",
        "login",
        "error",
        "throughput",
        "rejections",
        "lag",
        "cases",
        "rating",
        "search",
        "search-id",
        "search-go",
        "timeline",
        "dlq",
    ):
        assert f'id="{ident}"' in html, ident


def test_script_never_writes_html() -> None:
    script = _static("app.js")
    assert "innerHTML" not in script
    assert "outerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script
