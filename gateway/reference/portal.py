"""Reference server of the unified state services portal, where applicants follow their case.

The gateway posts each status of a case (received, sent to the holder, answered, refused,
overdue, result ready, deadline changed) with texts in Uzbek and Russian; a status that names
the applicant's portal application links the case to it. Contract: ``docs/openapi/portal.yaml``.
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

__all__ = ["STAGES", "PortalServer"]

STAGES = (
    "received",
    "sent_to_holder",
    "answered",
    "refused",
    "overdue",
    "result_ready",
    "deadline_changed",
)
"""Stages of a case the portal shows."""

_REQUIRED = ("stage", "at", "body", "service", "text")
_OPTIONAL = ("application_id", "reasons", "deadline")


def _reasons(value: object, stage: str) -> list[v.JsonObject]:
    """Refusal reasons: required (non-empty) for ``refused``, absent or empty otherwise."""
    reasons = [] if value is None else v.array(value, "reasons")
    if stage == "refused" and not reasons:
        raise ApiError(400, Code.REASONS_REQUIRED, "a refusal needs its reasons", field="reasons")
    if stage != "refused" and reasons:
        raise ApiError(
            400, Code.REASONS_NOT_ALLOWED, "only a refusal carries reasons", field="reasons"
        )
    out = []
    for i, reason in enumerate(reasons):
        path = v.item("reasons", i)
        given = v.fields(reason, path, required=("code", "text"))
        out.append(
            {
                "code": v.string(given["code"], v.child(path, "code"), max_length=64),
                "text": v.string(given["text"], v.child(path, "text"), max_length=2000),
            }
        )
    return out


def _status(body: object) -> v.JsonObject:
    """The validated body of ``PUT /api/v1/cases/{case_id}/statuses/{status_id}``."""
    given = v.fields(body, None, required=_REQUIRED, optional=_OPTIONAL)
    application = given.get("application_id")
    deadline = given.get("deadline")
    holder = v.fields(given["body"], "body", required=("code", "name"))
    service = v.fields(given["service"], "service", required=("registry_number", "name"))
    text = v.fields(given["text"], "text", required=("uz", "ru"))
    stage = v.choice(given["stage"], "stage", STAGES)
    v.timestamp(given["at"], "at")
    if deadline is not None:
        v.timestamp(deadline, "deadline")
    return {
        "application_id": None
        if application is None
        else v.string(application, "application_id", max_length=128),
        "stage": stage,
        "at": given["at"],
        "body": {
            "code": v.string(holder["code"], "body.code", pattern=STIR),
            "name": v.string(holder["name"], "body.name"),
        },
        "service": {
            "registry_number": v.string(
                service["registry_number"], "service.registry_number", pattern=REGISTRY_NUMBER
            ),
            "name": v.string(service["name"], "service.name"),
        },
        "text": {
            "uz": v.string(text["uz"], "text.uz", max_length=2000),
            "ru": v.string(text["ru"], "text.ru", max_length=2000),
        },
        "reasons": _reasons(given.get("reasons"), stage),
        "deadline": deadline,
    }


class PortalServer(ReferenceServer):
    """The portal: keeps each case's statuses in order and links cases to applications."""

    name: ClassVar[str] = "portal"
    schema: ClassVar[str] = """
        CREATE TABLE IF NOT EXISTS cases (
            case_id TEXT PRIMARY KEY,
            application_id TEXT
        );
        CREATE TABLE IF NOT EXISTS statuses (
            case_id TEXT NOT NULL REFERENCES cases (case_id),
            status_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (case_id, status_id),
            UNIQUE (case_id, position)
        );
    """
    error_codes: ClassVar[frozenset[Code]] = COMMON_CODES | {
        Code.REASONS_REQUIRED,
        Code.REASONS_NOT_ALLOWED,
        Code.APPLICATION_MISMATCH,
        Code.DUPLICATE_STATUS,
    }

    def add_routes(self) -> None:
        """The status ``PUT``, and ``GET`` of a case and of an application."""
        self.mutation("PUT", "/api/v1/cases/{case_id}/statuses/{status_id}", self.put_status)
        self.query("/api/v1/cases/{case_id}", self.case)
        self.query("/api/v1/applications/{application_id}", self.application)

    def put_status(self, request: web.Request, body: object) -> Answer:
        """Append a status to a case: 201 with its 1-based position.

        409 ``application_mismatch`` when the case is linked to another application; 409
        ``duplicate_status`` when the case has this status id already (under another key).
        """
        case_id, status_id = request.match_info["case_id"], request.match_info["status_id"]
        status = _status(body)
        cases = self.store.query("SELECT application_id FROM cases WHERE case_id = ?", case_id)
        linked = cases[0]["application_id"] if cases else None
        wanted = status["application_id"]
        if linked is not None and wanted is not None and linked != wanted:
            raise ApiError(
                409,
                Code.APPLICATION_MISMATCH,
                "the case is linked to another application",
                field="application_id",
            )
        existing = self.store.query(
            "SELECT position FROM statuses WHERE case_id = ? AND status_id = ?", case_id, status_id
        )
        if existing:
            raise ApiError(
                409,
                Code.DUPLICATE_STATUS,
                "the case has a status with this id already",
                extra={"position": existing[0]["position"]},
            )
        self.store.execute(
            "INSERT INTO cases (case_id, application_id) VALUES (?, ?) ON CONFLICT (case_id) DO "
            "UPDATE SET application_id = COALESCE(cases.application_id, excluded.application_id)",
            case_id,
            wanted,
        )
        position = self.store.query(
            "SELECT COUNT(*) + 1 AS next FROM statuses WHERE case_id = ?", case_id
        )[0]["next"]
        self.store.execute(
            "INSERT INTO statuses (case_id, status_id, position, status) VALUES (?, ?, ?, ?)",
            case_id,
            status_id,
            position,
            json.dumps(
                {"status_id": status_id, "position": position, **status}, ensure_ascii=False
            ),
        )
        return Answer(201, {"case_id": case_id, "status_id": status_id, "position": position})

    def _case(self, case_id: str, application_id: str | None) -> v.JsonObject:
        rows = self.store.query(
            "SELECT status FROM statuses WHERE case_id = ? ORDER BY position", case_id
        )
        statuses = [json.loads(row["status"]) for row in rows]
        return {"case_id": case_id, "application_id": application_id, "statuses": statuses}

    def case(self, request: web.Request) -> v.JsonObject:
        """A case with its statuses in the order they were posted; 404 if unknown."""
        v.params(request.query, ())
        case_id = request.match_info["case_id"]
        rows = self.store.query("SELECT application_id FROM cases WHERE case_id = ?", case_id)
        if not rows:
            raise ApiError(404, Code.NOT_FOUND, "no case has this id")
        return self._case(case_id, rows[0]["application_id"])

    def application(self, request: web.Request) -> v.JsonObject:
        """An application with its linked cases (each with its statuses); 404 if none."""
        v.params(request.query, ())
        application_id = request.match_info["application_id"]
        rows = self.store.query(
            "SELECT case_id FROM cases WHERE application_id = ? ORDER BY rowid", application_id
        )
        if not rows:
            raise ApiError(404, Code.NOT_FOUND, "no case is linked to this application")
        cases = [self._case(row["case_id"], application_id) for row in rows]
        return {"application_id": application_id, "cases": cases}
