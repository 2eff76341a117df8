"""E-qaror: registration numbers, agreement, duplicates, look-ups and strict validation."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from gateway.reference import EqarorServer
from tests.unit.reference.conftest import Api, Start
from tests.unit.reference.samples import document


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 12, 31, 18, 0, tzinfo=UTC))


@pytest.fixture
async def eqaror(start: Start, session: aiohttp.ClientSession, clock: Clock) -> Api:
    return Api(session, await start(EqarorServer, clock=clock))


async def register(eqaror: Api, **changes: Any) -> dict[str, Any]:
    answer = await eqaror.call("POST", "/api/v1/documents", document(**changes))
    assert answer.status == 201, answer.body
    return dict(answer.body)


async def test_registration_numbers_count_per_year(eqaror: Api, clock: Clock) -> None:
    first = await register(eqaror, external_id="m-1")
    second = await register(eqaror, external_id="m-2")
    clock.now = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    third = await register(eqaror, external_id="m-3")
    assert [r["registration_number"] for r in (first, second, third)] == [
        "EQ-2025-000001",
        "EQ-2025-000002",
        "EQ-2026-000001",
    ]
    assert first["registered_at"] == "2025-12-31T18:00:00Z"
    assert set(first) == {
        "document_id",
        "registration_number",
        "registered_at",
        "kind",
        "agreement",
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", first["document_id"])


@pytest.mark.parametrize(
    ("kind", "agreement"),
    [
        ("cover_letter", "agreed"),
        ("hokim_decision", "agreed"),
        ("hokim_order", "agreed"),
        ("council_decision", "pending"),
    ],
)
async def test_council_decisions_await_a_session(eqaror: Api, kind: str, agreement: str) -> None:
    registered = await register(eqaror, kind=kind)
    assert registered["kind"] == kind
    assert registered["agreement"]["status"] == agreement
    assert registered["agreement"]["comment"]


async def test_a_duplicate_external_id_carries_the_first_document(eqaror: Api) -> None:
    first = await register(eqaror)
    duplicate = await eqaror.call("POST", "/api/v1/documents", document(title="Boshqa"))
    assert duplicate.status == 409
    assert duplicate.error["code"] == "duplicate_external_id"
    assert duplicate.error["field"] == "external_id"
    stored = await eqaror.call("GET", f"/api/v1/documents/{first['document_id']}")
    assert duplicate.error["document"] == stored.body
    assert stored.body == first | document()
    assert (await eqaror.stats())["applied"] == 1


async def test_documents_are_found_by_external_id_or_case(eqaror: Api) -> None:
    one = await register(eqaror, external_id="m-1", case_id="c-1")
    two = await register(eqaror, external_id="m-2", case_id="c-1")
    await register(eqaror, external_id="m-3", case_id="c-2")
    by_id = await eqaror.call("GET", "/api/v1/documents?external_id=m-2")
    assert [d["document_id"] for d in by_id.body["documents"]] == [two["document_id"]]
    by_case = await eqaror.call("GET", "/api/v1/documents?case_id=c-1")
    assert [d["document_id"] for d in by_case.body["documents"]] == [
        one["document_id"],
        two["document_id"],
    ]
    assert (await eqaror.call("GET", "/api/v1/documents?external_id=none")).body == {
        "documents": []
    }
    assert len((await eqaror.call("GET", "/api/v1/documents")).body["documents"]) == 3


async def test_look_ups_refuse_unknown_ids_and_parameters(eqaror: Api) -> None:
    unknown = await eqaror.call("GET", "/api/v1/documents/00000000-0000-0000-0000-000000000000")
    assert (unknown.status, unknown.error["code"]) == (404, "not_found")
    odd = await eqaror.call("GET", "/api/v1/documents?pinfl=31234567890123")
    assert (odd.status, odd.error["code"], odd.error["field"]) == (
        400,
        "unexpected_field",
        "query.pinfl",
    )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"applicant": "Karimov"}, "applicant", "unexpected_field"),
        (
            {"organisation": {"code": "201000003", "name": "X", "head": "Y"}},
            "organisation.head",
            "unexpected_field",
        ),
        (
            {"organisation": {"code": "20100000", "name": "X"}},
            "organisation.code",
            "invalid_format",
        ),
        ({"organisation": {"code": "201000003"}}, "organisation.name", "missing_field"),
        ({"organisation": "201000003"}, "organisation", "invalid_type"),
        ({"kind": "memo"}, "kind", "invalid_value"),
        ({"title": " "}, "title", "invalid_value"),
        ({"title": "x" * 1001}, "title", "invalid_value"),
        ({"sha256": "A" * 64}, "sha256", "invalid_format"),
        ({"sha256": "a" * 63}, "sha256", "invalid_format"),
        ({"size": -1}, "size", "invalid_value"),
        ({"size": 1.5}, "size", "invalid_type"),
        ({"size": True}, "size", "invalid_type"),
        ({"service": "DX 0901"}, "service", "invalid_format"),
        ({"external_id": 7}, "external_id", "invalid_type"),
    ],
)
async def test_validation_names_the_field(
    eqaror: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    answer = await eqaror.call("POST", "/api/v1/documents", document(**changes))
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == (field, code)
    assert "Karimov" not in answer.error["message"]


async def test_a_missing_field_is_named(eqaror: Api) -> None:
    body = document()
    del body["case_id"]
    answer = await eqaror.call("POST", "/api/v1/documents", body)
    assert answer.error == {
        "code": "missing_field",
        "message": "case_id is required",
        "field": "case_id",
    }
