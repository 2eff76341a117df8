"""Reference server of NIS.UZ, which collects e-service delivery statistics.

The statistics feed the methodology that assesses the quality of state services: per body
and service, how many requests came in, were answered on time or late, were refused, and are
overdue now, with median and 95th-percentile answer times. The gateway sends one report per
period and replaces it when it regenerates the period. Contract: ``docs/openapi/nisuz.yaml``.
"""

from __future__ import annotations

import json
from typing import ClassVar

from aiohttp import web

from gateway.identifiers import STIR
from gateway.reference import _validate as v
from gateway.reference.base import Answer, ReferenceServer
from gateway.reference.exceptions import COMMON_CODES, ApiError, Code
from gateway.services.spec import REGISTRY_NUMBER

__all__ = ["NisuzServer"]

_COUNTS = ("received", "answered_on_time", "answered_late", "refused", "overdue_now")
_HOURS = ("median_answer_hours", "p95_answer_hours")


def _row(value: object, path: str) -> v.JsonObject:
    """One row of a report: a body's delivery figures for one service."""
    given = v.fields(value, path, required=("body", "service", *_COUNTS, *_HOURS))
    row: v.JsonObject = {
        "body": v.string(given["body"], v.child(path, "body"), pattern=STIR),
        "service": v.string(given["service"], v.child(path, "service"), pattern=REGISTRY_NUMBER),
    }
    for key in _COUNTS:
        row[key] = v.integer(given[key], v.child(path, key))
    for key in _HOURS:
        hours = given[key]
        row[key] = None if hours is None else v.number(hours, v.child(path, key))
    median, p95 = row["median_answer_hours"], row["p95_answer_hours"]
    if median is not None and p95 is not None and median > p95:
        raise ApiError(
            400,
            Code.INVALID_VALUE,
            f"{path}.median_answer_hours must not exceed p95_answer_hours",
            field=v.child(path, "median_answer_hours"),
        )
    return row


def _report(body: object, report_id: str) -> v.JsonObject:
    """The validated body of ``PUT /api/v1/reports/{report_id}``."""
    given = v.fields(body, None, required=("report_id", "period", "generated_at", "rows"))
    if v.string(given["report_id"], "report_id", max_length=128) != report_id:
        raise ApiError(
            400,
            Code.REPORT_ID_MISMATCH,
            "report_id must equal the id in the path",
            field="report_id",
        )
    period = v.fields(given["period"], "period", required=("from", "to"))
    start, end = v.day(period["from"], "period.from"), v.day(period["to"], "period.to")
    if start > end:
        raise ApiError(400, Code.INVALID_PERIOD, "period.from is after period.to", field="period")
    v.timestamp(given["generated_at"], "generated_at")
    rows = [_row(row, v.item("rows", i)) for i, row in enumerate(v.array(given["rows"], "rows"))]
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows):
        if (row["body"], row["service"]) in seen:
            raise ApiError(
                400,
                Code.DUPLICATE_ROW,
                "two rows for the same body and service",
                field=f"rows[{i}]",
            )
        seen.add((row["body"], row["service"]))
    return {
        "report_id": report_id,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": given["generated_at"],
        "rows": rows,
    }


class NisuzServer(ReferenceServer):
    """NIS.UZ: stores statistics reports, a newer generation replacing an older one."""

    name: ClassVar[str] = "nisuz"
    schema: ClassVar[str] = """
        CREATE TABLE IF NOT EXISTS reports (
            report_id TEXT PRIMARY KEY,
            generated_at TEXT NOT NULL,
            stored_at TEXT NOT NULL,
            report TEXT NOT NULL
        );
    """
    error_codes: ClassVar[frozenset[Code]] = COMMON_CODES | {
        Code.REPORT_ID_MISMATCH,
        Code.INVALID_PERIOD,
        Code.DUPLICATE_ROW,
        Code.STALE_REPORT,
    }

    def add_routes(self) -> None:
        """``PUT|GET /api/v1/reports/{report_id}``, ``GET /api/v1/reports``."""
        self.mutation("PUT", "/api/v1/reports/{report_id}", self.put_report)
        self.query("/api/v1/reports/{report_id}", self.report)
        self.query("/api/v1/reports", self.reports)

    def put_report(self, request: web.Request, body: object) -> Answer:
        """Store a report: 201 the first time, 200 when a newer ``generated_at`` replaces it.

        A ``generated_at`` that is not newer than the stored one is a 409 ``stale_report``.
        """
        report = _report(body, request.match_info["report_id"])
        generated = v.timestamp(report["generated_at"], "generated_at")
        stored = self.store.query(
            "SELECT generated_at FROM reports WHERE report_id = ?", report["report_id"]
        )
        if stored and generated <= v.timestamp(stored[0]["generated_at"], "generated_at"):
            raise ApiError(
                409,
                Code.STALE_REPORT,
                "a report with this id and a newer or equal generated_at is stored already",
                field="generated_at",
                extra={"stored_generated_at": stored[0]["generated_at"]},
            )
        stored_at = v.utc_iso(self.now())
        self.store.execute(
            "INSERT INTO reports (report_id, generated_at, stored_at, report) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (report_id) DO UPDATE SET generated_at = excluded.generated_at, "
            "stored_at = excluded.stored_at, report = excluded.report",
            report["report_id"],
            report["generated_at"],
            stored_at,
            json.dumps(report, ensure_ascii=False),
        )
        answer = {
            "report_id": report["report_id"],
            "rows": len(report["rows"]),
            "stored_at": stored_at,
        }
        return Answer(200 if stored else 201, answer)

    def report(self, request: web.Request) -> v.JsonObject:
        """One report as stored, with ``stored_at``; 404 if unknown."""
        v.params(request.query, ())
        rows = self.store.query(
            "SELECT report, stored_at FROM reports WHERE report_id = ?",
            request.match_info["report_id"],
        )
        if not rows:
            raise ApiError(404, Code.NOT_FOUND, "no report has this id")
        return {**json.loads(rows[0]["report"]), "stored_at": rows[0]["stored_at"]}

    def reports(self, request: web.Request) -> v.JsonObject:
        """Every stored report's id, period, generated_at and stored_at, by id."""
        v.params(request.query, ())
        rows = self.store.query("SELECT report, stored_at FROM reports ORDER BY report_id")
        summaries = []
        for row in rows:
            report = json.loads(row["report"])
            summaries.append(
                {
                    "report_id": report["report_id"],
                    "period": report["period"],
                    "generated_at": report["generated_at"],
                    "stored_at": row["stored_at"],
                }
            )
        return {"reports": summaries}
