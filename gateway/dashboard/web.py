"""Wiring of the dashboard into the worker's Faust web server; every decision is in routes.

Routes (all under ``/dashboard``): the page, its static files, and the JSON API of
:mod:`gateway.dashboard.routes`. API answers are never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust

from gateway.dashboard import routes
from gateway.dashboard.assets import HTML_HEADERS, STATIC_HEADERS, Assets
from gateway.dashboard.auth import Tokens
from gateway.dashboard.routes import Reply
from gateway.dashboard.source import DashboardSource

__all__ = ["API_HEADERS", "PATHS", "wire_dashboard"]

API_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

#: Every path the dashboard registers, with its methods.
PATHS: Mapping[str, tuple[str, ...]] = {
    "/dashboard": ("GET",),
    "/dashboard/static/{name}": ("GET",),
    "/dashboard/api/whoami": ("GET",),
    "/dashboard/api/overview": ("GET",),
    "/dashboard/api/track/{ident}": ("GET",),
    "/dashboard/api/dlq": ("GET",),
    "/dashboard/api/dlq/replay": ("POST",),
}


def _json(view: faust.web.View, reply: Reply) -> Any:
    return view.bytes(
        reply.json_bytes(),
        content_type="application/json",
        status=reply.status,
        headers=dict(API_HEADERS),
    )


def _authorization(request: Any) -> str | None:
    value = request.headers.get("Authorization")
    return None if value is None else str(value)


def wire_dashboard(app: faust.App, source: DashboardSource, tokens: Tokens) -> None:
    """Register the dashboard's pages on ``app``'s web server; call once, before it starts.

    Reads the static files now, so a package installed without them fails here, at start-up,
    rather than on the first visit.
    """
    assets = Assets.load()
    page = assets.get("index.html")
    if page is None:  # pragma: no cover -- Assets.load reads every listed file or raises
        raise FileNotFoundError("gateway/dashboard/static/index.html")
    page_body = page.body

    class DashboardPage(faust.web.View):
        """The HTML page: static, no data, no token needed."""

        async def get(self, request: Any) -> Any:
            return self.bytes(page_body, content_type="text/html", headers=dict(HTML_HEADERS))

    class DashboardStatic(faust.web.View):
        """The script, style sheet and icon; unknown names are 404."""

        async def get(self, request: Any, name: str) -> Any:
            asset = assets.get(name) if name != "index.html" else None
            if asset is None:
                reply = routes.error_reply(404, "not_found", "No such dashboard file.")
                return _json(self, reply)
            return self.bytes(
                asset.body,
                content_type=asset.content_type.split(";")[0],
                headers=dict(STATIC_HEADERS),
            )

    class WhoAmI(faust.web.View):
        async def get(self, request: Any) -> Any:
            return _json(self, await routes.api_whoami(tokens, _authorization(request)))

    class Overview(faust.web.View):
        async def get(self, request: Any) -> Any:
            reply = await routes.api_overview(source, tokens, _authorization(request))
            return _json(self, reply)

    class Track(faust.web.View):
        async def get(self, request: Any, ident: str) -> Any:
            reply = await routes.api_track(source, tokens, _authorization(request), ident)
            return _json(self, reply)

    class DeadLetters(faust.web.View):
        async def get(self, request: Any) -> Any:
            return _json(self, await routes.api_dlq(source, tokens, _authorization(request)))

    class Replay(faust.web.View):
        async def post(self, request: Any) -> Any:
            body = await request.content.read(routes.MAX_BODY_BYTES + 1)
            reply = await routes.api_replay(source, tokens, _authorization(request), body)
            return _json(self, reply)

    views: tuple[type[faust.web.View], ...] = (
        DashboardPage,
        DashboardStatic,
        WhoAmI,
        Overview,
        Track,
        DeadLetters,
        Replay,
    )
    for path, view in zip(PATHS, views, strict=True):
        app.page(path, name=f"dashboard_{view.__name__.lower()}")(view)
