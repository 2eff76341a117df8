"""The dashboard's routes as plain async functions: request data in, :class:`Reply` out.

Each function takes the source, the tokens and the request's ``Authorization`` header (and
its path or body) and returns a status with a JSON-ready body. They know nothing of Faust or
aiohttp: :mod:`gateway.dashboard.web` only moves bytes between them and the web server, and
the unit tests call them directly.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from gateway.dashboard.auth import Role, Tokens, authorise
from gateway.dashboard.exceptions import DashboardAuthError, DashboardError
from gateway.dashboard.source import DashboardSource

__all__ = [
    "MAX_BODY_BYTES",
    "Reply",
    "api_dlq",
    "api_overview",
    "api_replay",
    "api_track",
    "api_whoami",
    "error_reply",
    "valid_ident",
]

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 4096
_IDENT = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """What a route answers: an HTTP status and a JSON-ready body."""

    status: int
    body: Any

    def json_bytes(self) -> bytes:
        """The body as UTF-8 JSON; values JSON cannot hold (datetimes) become strings."""
        return json.dumps(self.body, ensure_ascii=False, default=str).encode("utf-8")


def error_reply(status: int, code: str, message: str) -> Reply:
    """The one error shape of the API: ``{"error": code, "message": sentence}``."""
    return Reply(status, {"error": code, "message": message})


def valid_ident(ident: str) -> bool:
    """True for a plausible message or case id: 1-128 of letters, digits and ``._:-``."""
    return _IDENT.fullmatch(ident) is not None


async def _guarded(
    tokens: Tokens,
    authorization: str | None,
    needed: Role,
    action: Callable[[Role], Awaitable[Reply]],
) -> Reply:
    """Authorise, then run ``action``; refusals and source failures become error replies."""
    try:
        role = authorise(tokens, authorization, needed)
    except DashboardAuthError as exc:
        log.info("dashboard_refused", code=exc.code, status=exc.status, needed=needed.value)
        return error_reply(exc.status, exc.code, exc.message)
    try:
        return await action(role)
    except DashboardError as exc:
        return error_reply(exc.status, exc.code, exc.message)
    except Exception:  # the page must get an answer; the log keeps the traceback
        log.exception("dashboard_source_failed", needed=needed.value)
        return error_reply(500, "internal", "The worker could not read this; see its log.")


async def api_whoami(tokens: Tokens, authorization: str | None) -> Reply:
    """``GET /dashboard/api/whoami``: the role the token grants (the page shows actions by it)."""

    async def answer(role: Role) -> Reply:
        return Reply(200, {"role": role.value, "can_replay": role is Role.OPERATOR})

    return await _guarded(tokens, authorization, Role.OBSERVER, answer)


async def api_overview(source: DashboardSource, tokens: Tokens, authorization: str | None) -> Reply:
    """``GET /dashboard/api/overview``: every figure of the page, as the source built it."""

    async def answer(_: Role) -> Reply:
        return Reply(200, dict(await source.overview()))

    return await _guarded(tokens, authorization, Role.OBSERVER, answer)


async def api_track(
    source: DashboardSource, tokens: Tokens, authorization: str | None, ident: str
) -> Reply:
    """``GET /dashboard/api/track/{ident}``: a case and its timeline; 404 when unknown."""

    async def answer(_: Role) -> Reply:
        if not valid_ident(ident):
            return error_reply(
                400, "bad_id", "A message id is 1 to 128 letters, digits, '.', '_', ':' or '-'."
            )
        found = await source.find(ident)
        if found is None:
            return error_reply(404, "unknown", f"No case or message has the id {ident}.")
        return Reply(200, dict(found))

    return await _guarded(tokens, authorization, Role.OBSERVER, answer)


async def api_dlq(source: DashboardSource, tokens: Tokens, authorization: str | None) -> Reply:
    """``GET /dashboard/api/dlq``: the dead letters, ``{"items": [...]}``."""

    async def answer(_: Role) -> Reply:
        return Reply(200, {"items": [dict(item) for item in await source.dead_letters()]})

    return await _guarded(tokens, authorization, Role.OBSERVER, answer)


def _replay_target(body: bytes) -> tuple[str, str]:
    """``(adapter, id)`` from the request body, or a 400/413 saying what is wrong with it."""
    if len(body) > MAX_BODY_BYTES:
        raise DashboardError(
            f"The request body is larger than {MAX_BODY_BYTES} bytes.", code="too_large", status=413
        )
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DashboardError(
            'The body is not JSON; send {"adapter": "...", "id": "..."}.', code="bad_json"
        ) from exc
    if not isinstance(data, dict):
        raise DashboardError('The body must be a JSON object {"adapter", "id"}.', code="bad_json")
    adapter, ident = data.get("adapter"), data.get("id")
    if not isinstance(adapter, str) or not valid_ident(adapter):
        raise DashboardError('"adapter" must name an adapter, e.g. "portal".', code="bad_request")
    if not isinstance(ident, str) or not valid_ident(ident):
        raise DashboardError('"id" must be the id of a dead letter.', code="bad_request")
    return adapter, ident


async def api_replay(
    source: DashboardSource, tokens: Tokens, authorization: str | None, body: bytes
) -> Reply:
    """``POST /dashboard/api/dlq/replay`` with ``{"adapter", "id"}``: operator only.

    Answers ``{"adapter", "id", "replayed": n}``; 404 when no dead letter matches, 400 on a
    body that is not that JSON object.
    """

    async def answer(_: Role) -> Reply:
        adapter, ident = _replay_target(body)
        try:
            count = await source.replay(adapter, ident)
        except KeyError:
            return error_reply(404, "unknown", f"Adapter {adapter} has no dead letter {ident}.")
        log.info("dlq_replayed", adapter=adapter, id=ident, records=count)
        return Reply(200, {"adapter": adapter, "id": ident, "replayed": count})

    return await _guarded(tokens, authorization, Role.OPERATOR, answer)
