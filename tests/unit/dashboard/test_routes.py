"""The routes' cores: status and JSON for each request, without a web server."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs

from gateway.dashboard import Tokens
from gateway.dashboard.routes import (
    api_dlq,
    api_overview,
    api_replay,
    api_track,
    api_whoami,
    valid_ident,
)
from tests.unit.dashboard.conftest import OBSERVER, OPERATOR, FixedSource


async def test_overview_needs_a_token(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_overview(source, tokens, None)
    assert reply.status == 401
    assert reply.body["error"] == "missing_token"
    assert reply.body["message"]


async def test_overview_with_no_tokens_configured_is_403(source: FixedSource) -> None:
    reply = await api_overview(source, Tokens(), OBSERVER)
    assert reply.status == 403
    assert "GATEWAY_DASHBOARD_OBSERVER_TOKEN" in reply.body["message"]


async def test_overview_for_observer(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_overview(source, tokens, OBSERVER)
    assert reply.status == 200
    assert reply.body["rejections"][0]["reason"] == "bad_signature"
    assert json.loads(reply.json_bytes()) == reply.body


async def test_source_failure_is_a_500_json_and_logged(source: FixedSource, tokens: Tokens) -> None:
    source.fail = True
    with capture_logs() as logs:
        reply = await api_overview(source, tokens, OBSERVER)
    assert reply.status == 500
    assert reply.body["error"] == "internal"
    assert "table not ready" not in reply.body["message"]
    assert any(entry["event"] == "dashboard_source_failed" for entry in logs)


async def test_refusals_are_logged_without_the_token(source: FixedSource, tokens: Tokens) -> None:
    with capture_logs() as logs:
        await api_overview(source, tokens, "Bearer wrong-guess")
    assert logs
    assert logs[0]["event"] == "dashboard_refused"
    assert "wrong-guess" not in repr(logs)


@pytest.mark.parametrize(("header", "role"), [(OBSERVER, "observer"), (OPERATOR, "operator")])
async def test_whoami(tokens: Tokens, header: str, role: str) -> None:
    reply = await api_whoami(tokens, header)
    assert reply.status == 200
    assert reply.body["role"] == role
    assert reply.body["can_replay"] is (role == "operator")


async def test_whoami_wrong_token(tokens: Tokens) -> None:
    assert (await api_whoami(tokens, "Bearer nope")).status == 401


async def test_track_found(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_track(source, tokens, OBSERVER, "m-1")
    assert reply.status == 200
    assert [e["stage"] for e in reply.body["timeline"]] == ["received", "accepted"]


async def test_track_unknown_is_404_json(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_track(source, tokens, OBSERVER, "m-404")
    assert reply.status == 404
    assert reply.body["error"] == "unknown"


@pytest.mark.parametrize("ident", ["", "a/b", "../etc", "x" * 129, "a b", "<script>"])
async def test_track_rejects_implausible_ids(
    source: FixedSource, tokens: Tokens, ident: str
) -> None:
    reply = await api_track(source, tokens, OBSERVER, ident)
    assert reply.status == 400
    assert reply.body["error"] == "bad_id"


async def test_track_checks_the_token_before_the_id(source: FixedSource, tokens: Tokens) -> None:
    assert (await api_track(source, tokens, None, "a/b")).status == 401


def test_valid_ident_accepts_uuids_and_ids() -> None:
    assert valid_ident("0b6f6c52-2d3a-4f0e-9a57-5b3d8f1a2c44")
    assert valid_ident("msg:2025.03_01")
    assert valid_ident("x" * 128)


async def test_dlq_lists_items(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_dlq(source, tokens, OBSERVER)
    assert reply.status == 200
    assert reply.body["items"][0]["id"] == "dl-1"


async def test_replay_needs_the_operator(source: FixedSource, tokens: Tokens) -> None:
    body = b'{"adapter": "portal", "id": "dl-1"}'
    reply = await api_replay(source, tokens, OBSERVER, body)
    assert reply.status == 403
    assert source.replayed == []
    reply = await api_replay(source, tokens, None, body)
    assert reply.status == 401


async def test_replay_by_operator(source: FixedSource, tokens: Tokens) -> None:
    with capture_logs() as logs:
        reply = await api_replay(source, tokens, OPERATOR, b'{"adapter": "portal", "id": "dl-1"}')
    assert reply.status == 200
    assert reply.body == {"adapter": "portal", "id": "dl-1", "replayed": 1}
    assert source.replayed == [("portal", "dl-1")]
    assert [e["event"] for e in logs] == ["dlq_replayed"]


async def test_replay_unknown_is_404(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_replay(source, tokens, OPERATOR, b'{"adapter": "portal", "id": "dl-2"}')
    assert reply.status == 404
    assert reply.body["error"] == "unknown"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"adapter": "portal"}', b'{"adapter": 3, "id": "x"}', b"\xff\xfe"],
)
async def test_replay_bad_body_is_400(source: FixedSource, tokens: Tokens, body: bytes) -> None:
    reply = await api_replay(source, tokens, OPERATOR, body)
    assert reply.status == 400
    assert reply.body["error"] in {"bad_json", "bad_request"}
    assert source.replayed == []


async def test_replay_too_large_is_413(source: FixedSource, tokens: Tokens) -> None:
    reply = await api_replay(source, tokens, OPERATOR, b" " * 5000)
    assert reply.status == 413
