"""The generic sink: storing messages by key in arrival order, listing them, strict validation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from gateway.reference import GenericServer
from tests.unit.reference.conftest import Api, Start

PATH = "/api/v1/messages/m-1"
NOW = datetime(2025, 3, 10, 9, 15, 2, 250_000, tzinfo=UTC)


def message(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "Request",
        "message_id": "msg-1",
        "case_id": "case-1",
        "service": "DX-0123",
        "sender": "201234567",
        "recipient": "202345678",
        "stage": None,
    } | changes


@pytest.fixture
async def generic(start: Start, session: aiohttp.ClientSession) -> Api:
    return Api(session, await start(GenericServer, clock=lambda: NOW))


async def test_a_message_is_stored_and_read_back(generic: Api) -> None:
    stored = await generic.call("PUT", PATH, message())
    assert stored.status == 201
    assert stored.body == {
        "message_key": "m-1",
        "position": 1,
        "received_at": "2025-03-10T09:15:02Z",
    }
    read = await generic.call("GET", PATH)
    assert read.status == 200
    assert read.body == message() | stored.body
    listed = await generic.call("GET", "/api/v1/messages")
    assert listed.body == {"messages": [read.body]}


async def test_positions_follow_arrival_across_cases(generic: Api) -> None:
    bodies = {
        "m-b": message(message_id="msg-b", case_id="case-2"),
        "m-a": message(message_id="msg-a"),
        "s-1": message(
            kind="Status", message_id="msg-a", service="", sender="", recipient="", stage="accepted"
        ),
        "r-1": message(kind="StatsReport", message_id="2025-03", case_id="", service=""),
    }
    for key, body in bodies.items():
        assert (await generic.call("PUT", f"/api/v1/messages/{key}", body)).status == 201
    listed = (await generic.call("GET", "/api/v1/messages")).body["messages"]
    assert [(m["message_key"], m["position"]) for m in listed] == [
        ("m-b", 1),
        ("m-a", 2),
        ("s-1", 3),
        ("r-1", 4),
    ]
    assert listed[2]["stage"] == "accepted"


async def test_messages_are_filtered_by_case(generic: Api) -> None:
    await generic.call("PUT", "/api/v1/messages/k-1", message())
    await generic.call("PUT", "/api/v1/messages/k-2", message(case_id="case-2"))
    await generic.call("PUT", "/api/v1/messages/k-3", message(message_id="msg-3"))
    await generic.call("PUT", "/api/v1/messages/k-4", message(kind="StatsReport", case_id=""))

    async def keys(query: str) -> list[str]:
        answer = await generic.call("GET", f"/api/v1/messages{query}")
        assert answer.status == 200
        return [m["message_key"] for m in answer.body["messages"]]

    assert await keys("?case_id=case-1") == ["k-1", "k-3"]
    assert await keys("?case_id=case-2") == ["k-2"]
    assert await keys("?case_id=") == ["k-4"]
    assert await keys("?case_id=none") == []
    refused = await generic.call("GET", "/api/v1/messages?service=DX-0123")
    assert refused.status == 400
    assert (refused.error["field"], refused.error["code"]) == ("query.service", "unexpected_field")


async def test_a_repeat_with_the_same_key_replays_and_applies_nothing(generic: Api) -> None:
    first = await generic.call("PUT", PATH, message(), key="k-1")
    again = await generic.call("PUT", PATH, message(), key="k-1")
    assert (again.status, again.body) == (200, first.body)
    assert again.headers["Idempotent-Replay"] == "true"
    assert len((await generic.call("GET", "/api/v1/messages")).body["messages"]) == 1
    assert await generic.stats() == {"requests": 2, "applied": 1, "replays": 1, "faults_served": 0}


async def test_the_same_message_key_under_another_idempotency_key_is_a_duplicate(
    generic: Api,
) -> None:
    await generic.call("PUT", "/api/v1/messages/k-0", message(message_id="msg-0"))
    await generic.call("PUT", PATH, message(), key="k-1")
    for body in (message(), message(message_id="msg-2")):
        duplicate = await generic.call("PUT", PATH, body, key="k-2")
        assert duplicate.status == 409
        assert duplicate.error == {
            "code": "duplicate_message",
            "message": "a message with this key is stored already",
            "field": None,
            "position": 2,
        }
    assert (await generic.call("GET", PATH)).body["message_id"] == "msg-1"
    assert (await generic.stats())["applied"] == 2


async def test_unknown_messages_are_not_found(generic: Api) -> None:
    assert (await generic.call("GET", "/api/v1/messages/none")).error["code"] == "not_found"
    assert (await generic.call("GET", "/api/v1/messages")).body == {"messages": []}


async def test_requests_without_the_token_are_unauthorized(generic: Api) -> None:
    for method, path, body in (
        ("PUT", PATH, message()),
        ("GET", PATH, None),
        ("GET", "/api/v1/messages", None),
    ):
        for token in (None, "wrong-token"):
            answer = await generic.call(method, path, body, token=token)
            assert answer.status == 401
            assert answer.error["code"] == "unauthorized"
            assert answer.headers["WWW-Authenticate"] == 'Bearer realm="reference"'
    assert (await generic.stats())["applied"] == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"kind": "Notice"}, "kind", "invalid_value"),
        ({"kind": "request"}, "kind", "invalid_value"),
        ({"kind": 1}, "kind", "invalid_type"),
        ({"message_id": ""}, "message_id", "invalid_value"),
        ({"message_id": 7}, "message_id", "invalid_type"),
        ({"message_id": "x" * 501}, "message_id", "invalid_value"),
        ({"case_id": ""}, "case_id", "invalid_value"),
        ({"case_id": None}, "case_id", "invalid_type"),
        ({"kind": "StatsReport", "case_id": 3}, "case_id", "invalid_type"),
        ({"service": None}, "service", "invalid_type"),
        ({"sender": "20123456"}, "sender", "invalid_format"),
        ({"sender": 201234567}, "sender", "invalid_type"),
        ({"recipient": "2023456789"}, "recipient", "invalid_format"),
        ({"recipient": None}, "recipient", "invalid_type"),
        ({"kind": "Status", "stage": None}, "stage", "invalid_value"),
        ({"kind": "Status", "stage": ""}, "stage", "invalid_value"),
        ({"stage": 2}, "stage", "invalid_type"),
        ({"applicant": {"pinfl": "31234567890123"}}, "applicant", "unexpected_field"),
    ],
)
async def test_validation_names_the_field(
    generic: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    answer = await generic.call("PUT", PATH, message(**changes))
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == (field, code)


@pytest.mark.parametrize("missing", ["kind", "message_id", "case_id", "stage"])
async def test_a_missing_field_is_named(generic: Api, missing: str) -> None:
    body = message()
    del body[missing]
    answer = await generic.call("PUT", PATH, body)
    assert (answer.error["field"], answer.error["code"]) == (missing, "missing_field")


async def test_a_body_that_is_not_an_object_is_refused(generic: Api) -> None:
    answer = await generic.call("PUT", PATH, [message()])
    assert (answer.status, answer.error["code"], answer.error["field"]) == (
        400,
        "invalid_type",
        None,
    )


async def test_a_message_key_over_255_characters_is_refused(generic: Api) -> None:
    answer = await generic.call("PUT", f"/api/v1/messages/{'k' * 256}", message())
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == ("message_key", "invalid_value")
    assert (await generic.call("PUT", f"/api/v1/messages/{'k' * 255}", message())).status == 201
