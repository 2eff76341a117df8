"""The portal: statuses in order, links to applications, refusal reasons, strict validation."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gateway.reference import PortalServer
from tests.unit.reference.conftest import Api, Start
from tests.unit.reference.samples import status

REASON = {"code": "no_record", "text": "Yozuv topilmadi"}


@pytest.fixture
async def portal(start: Start, session: aiohttp.ClientSession) -> Api:
    return Api(session, await start(PortalServer))


def put(case: str, status_id: str) -> str:
    return f"/api/v1/cases/{case}/statuses/{status_id}"


async def test_statuses_keep_their_order(portal: Api) -> None:
    stages = ["received", "sent_to_holder", "answered", "result_ready"]
    for i, stage in enumerate(stages, start=1):
        answer = await portal.call("PUT", put("c-1", f"s-{i}"), status(stage=stage))
        assert answer.status == 201
        assert answer.body == {"case_id": "c-1", "status_id": f"s-{i}", "position": i}
    case = await portal.call("GET", "/api/v1/cases/c-1")
    assert case.body["case_id"] == "c-1"
    assert case.body["application_id"] == "APP-0001234"
    assert [s["stage"] for s in case.body["statuses"]] == stages
    assert case.body["statuses"][0] == {"status_id": "s-1", "position": 1, "reasons": []} | status(
        stage="received"
    )


async def test_a_case_links_to_its_application_once(portal: Api) -> None:
    await portal.call("PUT", put("c-1", "s-1"), status(application_id=None, stage="received"))
    assert (await portal.call("GET", "/api/v1/cases/c-1")).body["application_id"] is None
    await portal.call("PUT", put("c-1", "s-2"), status())
    await portal.call("PUT", put("c-1", "s-3"), status(application_id=None, stage="answered"))
    await portal.call("PUT", put("c-2", "s-1"), status())
    linked = await portal.call("GET", "/api/v1/applications/APP-0001234")
    assert [c["case_id"] for c in linked.body["cases"]] == ["c-1", "c-2"]
    assert len(linked.body["cases"][0]["statuses"]) == 3
    other = await portal.call("PUT", put("c-1", "s-4"), status(application_id="APP-9"))
    assert other.status == 409
    assert (other.error["code"], other.error["field"]) == ("application_mismatch", "application_id")
    assert (await portal.call("GET", "/api/v1/applications/APP-9")).status == 404


async def test_a_status_id_is_posted_once(portal: Api) -> None:
    await portal.call("PUT", put("c-1", "s-1"), status())
    again = await portal.call("PUT", put("c-1", "s-1"), status(stage="answered"))
    assert again.status == 409
    assert again.error["code"] == "duplicate_status"
    assert again.error["position"] == 1
    assert (await portal.call("PUT", put("c-2", "s-1"), status())).status == 201


async def test_only_a_refusal_carries_reasons(portal: Api) -> None:
    refused = await portal.call("PUT", put("c-1", "s-1"), status(stage="refused", reasons=[REASON]))
    assert refused.status == 201
    empty = await portal.call("PUT", put("c-1", "s-2"), status(stage="answered", reasons=[]))
    assert empty.status == 201
    case = await portal.call("GET", "/api/v1/cases/c-1")
    assert [s["reasons"] for s in case.body["statuses"]] == [[REASON], []]


async def test_unknown_cases_are_not_found(portal: Api) -> None:
    assert (await portal.call("GET", "/api/v1/cases/none")).error["code"] == "not_found"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"stage": "refused"}, "reasons", "reasons_required"),
        ({"stage": "refused", "reasons": []}, "reasons", "reasons_required"),
        ({"stage": "answered", "reasons": [REASON]}, "reasons", "reasons_not_allowed"),
        (
            {"stage": "refused", "reasons": [REASON | {"pinfl": "1"}]},
            "reasons[0].pinfl",
            "unexpected_field",
        ),
        ({"stage": "refused", "reasons": [{"code": "x"}]}, "reasons[0].text", "missing_field"),
        ({"stage": "closed"}, "stage", "invalid_value"),
        ({"text": {"uz": "", "ru": "Текст"}}, "text.uz", "invalid_value"),
        ({"text": {"uz": "Matn"}}, "text.ru", "missing_field"),
        ({"body": {"code": "12345678A", "name": "X"}}, "body.code", "invalid_format"),
        ({"service": {"registry_number": "DX-0123"}}, "service.name", "missing_field"),
        ({"at": "yesterday"}, "at", "invalid_format"),
        ({"deadline": "2025-03-04T18:00:00"}, "deadline", "invalid_format"),
        ({"application_id": ""}, "application_id", "invalid_value"),
        ({"applicant": {"surname": "Karimov"}}, "applicant", "unexpected_field"),
    ],
)
async def test_validation_names_the_field(
    portal: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    answer = await portal.call("PUT", put("c-1", "s-1"), status(**changes))
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == (field, code)


async def test_optional_fields_may_be_left_out(portal: Api) -> None:
    minimal = status()
    for key in ("application_id", "deadline"):
        del minimal[key]
    assert (await portal.call("PUT", put("c-1", "s-1"), minimal)).status == 201
    stored = (await portal.call("GET", "/api/v1/cases/c-1")).body["statuses"][0]
    assert (stored["application_id"], stored["deadline"]) == (None, None)
