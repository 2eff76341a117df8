"""NIS.UZ: storing and replacing statistics reports, listing them, strict validation."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gateway.reference import NisuzServer
from tests.unit.reference.conftest import Api, Start
from tests.unit.reference.samples import report, row

PATH = "/api/v1/reports/2025-03"


@pytest.fixture
async def nisuz(start: Start, session: aiohttp.ClientSession) -> Api:
    return Api(session, await start(NisuzServer))


async def test_a_report_is_stored_and_read_back(nisuz: Api) -> None:
    body = report(
        rows=[row(), row(body="201000002", median_answer_hours=None, p95_answer_hours=None)]
    )
    stored = await nisuz.call("PUT", PATH, body)
    assert stored.status == 201
    assert stored.body["report_id"] == "2025-03"
    assert stored.body["rows"] == 2
    read = await nisuz.call("GET", PATH)
    assert read.body == body | {"stored_at": stored.body["stored_at"]}
    listed = await nisuz.call("GET", "/api/v1/reports")
    assert listed.body == {
        "reports": [
            {
                "report_id": "2025-03",
                "period": body["period"],
                "generated_at": body["generated_at"],
                "stored_at": stored.body["stored_at"],
            }
        ]
    }


async def test_a_newer_generation_replaces_the_report_an_older_one_is_stale(nisuz: Api) -> None:
    assert (await nisuz.call("PUT", PATH, report())).status == 201
    newer = report(
        generated_at="2025-04-01T00:00:00Z", rows=[]
    )  # 02:00+05:00 is 21:00Z the day before
    replaced = await nisuz.call("PUT", PATH, newer)
    assert (replaced.status, replaced.body["rows"]) == (200, 0)
    for generated_at in ("2025-04-01T05:00:00+05:00", "2025-03-31T21:00:00Z"):  # equal, older
        stale = await nisuz.call("PUT", PATH, report(generated_at=generated_at))
        assert stale.status == 409
        assert stale.error["code"] == "stale_report"
        assert stale.error["stored_generated_at"] == "2025-04-01T00:00:00Z"
    assert (await nisuz.call("GET", PATH)).body["rows"] == []


async def test_unknown_reports_are_not_found(nisuz: Api) -> None:
    assert (await nisuz.call("GET", "/api/v1/reports/none")).error["code"] == "not_found"
    assert (await nisuz.call("GET", "/api/v1/reports")).body == {"reports": []}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"report_id": "2025-04"}, "report_id", "report_id_mismatch"),
        ({"period": {"from": "2025-03-31", "to": "2025-03-01"}}, "period", "invalid_period"),
        ({"period": {"from": "2025-3-1", "to": "2025-03-31"}}, "period.from", "invalid_format"),
        ({"period": {"from": "2025-02-30", "to": "2025-03-31"}}, "period.from", "invalid_format"),
        ({"period": {"from": "2025-03-01"}}, "period.to", "missing_field"),
        ({"generated_at": "2025-04-01T02:00:00"}, "generated_at", "invalid_format"),
        ({"generated_at": "2025-04-01"}, "generated_at", "invalid_format"),
        ({"rows": {}}, "rows", "invalid_type"),
        ({"rows": [row(), row(received=-1)]}, "rows[1].received", "invalid_value"),
        ({"rows": [row(refused="3")]}, "rows[0].refused", "invalid_type"),
        ({"rows": [row(body="2010000011")]}, "rows[0].body", "invalid_format"),
        ({"rows": [row(applicant="Karimov")]}, "rows[0].applicant", "unexpected_field"),
        ({"rows": [row(median_answer_hours="5")]}, "rows[0].median_answer_hours", "invalid_type"),
        ({"rows": [row(p95_answer_hours=-0.5)]}, "rows[0].p95_answer_hours", "invalid_value"),
        ({"rows": [row(median_answer_hours=40)]}, "rows[0].median_answer_hours", "invalid_value"),
        ({"rows": [row(), row()]}, "rows[1]", "duplicate_row"),
        ({"source": "gateway"}, "source", "unexpected_field"),
    ],
)
async def test_validation_names_the_field(
    nisuz: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    answer = await nisuz.call("PUT", PATH, report(**changes))
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == (field, code)


async def test_a_row_missing_a_figure_is_named(nisuz: Api) -> None:
    incomplete = row()
    del incomplete["overdue_now"]
    answer = await nisuz.call("PUT", PATH, report(rows=[incomplete]))
    assert (answer.error["field"], answer.error["code"]) == ("rows[0].overdue_now", "missing_field")
