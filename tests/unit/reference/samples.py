"""One valid mutating request per reference server, for the tests every server must pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.reference import (
    EqarorServer,
    GenericServer,
    NisuzServer,
    PortalServer,
    ReferenceServer,
)


@dataclass(frozen=True)
class Sample:
    """A mutating request, a different valid body for the same path, and where to read it."""

    server: type[ReferenceServer]
    method: str
    path: str
    body: dict[str, Any]
    other_body: dict[str, Any]
    read: Callable[[dict[str, Any]], str]


def document(**changes: Any) -> dict[str, Any]:
    return {
        "external_id": "msg-1",
        "case_id": "case-1",
        "organisation": {"code": "201000003", "name": "Toshkent shahar hokimligi"},
        "kind": "hokim_decision",
        "title": "Hokim qarori",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "size": 48213,
        "service": "DX-0901",
    } | changes


def row(**changes: Any) -> dict[str, Any]:
    return {
        "body": "201000001",
        "service": "DX-0123",
        "received": 120,
        "answered_on_time": 110,
        "answered_late": 6,
        "refused": 3,
        "overdue_now": 1,
        "median_answer_hours": 5.5,
        "p95_answer_hours": 30,
    } | changes


def report(**changes: Any) -> dict[str, Any]:
    return {
        "report_id": "2025-03",
        "period": {"from": "2025-03-01", "to": "2025-03-31"},
        "generated_at": "2025-04-01T02:00:00+05:00",
        "rows": [row()],
    } | changes


def status(**changes: Any) -> dict[str, Any]:
    return {
        "application_id": "APP-0001234",
        "stage": "sent_to_holder",
        "at": "2025-03-03T10:15:00+05:00",
        "body": {"code": "201000001", "name": "Adliya vazirligi"},
        "service": {"registry_number": "DX-0123", "name": "Uy-joy uchun subsidiya berish"},
        "text": {"uz": "So'rov ma'lumot egasiga yuborildi", "ru": "Запрос направлен держателю"},
        "deadline": "2025-03-04T18:00:00+05:00",
    } | changes


SAMPLES = {
    "eqaror": Sample(
        EqarorServer,
        "POST",
        "/api/v1/documents",
        document(),
        document(title="Boshqa qaror"),
        lambda answer: f"/api/v1/documents/{answer['document_id']}",
    ),
    "nisuz": Sample(
        NisuzServer,
        "PUT",
        "/api/v1/reports/2025-03",
        report(),
        report(generated_at="2025-04-02T02:00:00+05:00"),
        lambda _answer: "/api/v1/reports/2025-03",
    ),
    "portal": Sample(
        PortalServer,
        "PUT",
        "/api/v1/cases/case-1/statuses/st-1",
        status(),
        status(stage="answered"),
        lambda _answer: "/api/v1/cases/case-1",
    ),
    "generic": Sample(
        GenericServer,
        "PUT",
        "/api/v1/messages/m-1",
        {
            "kind": "Request",
            "message_id": "m-1",
            "case_id": "c-1",
            "service": "DX-0123",
            "sender": "201000003",
            "recipient": "201000001",
            "stage": None,
        },
        {
            "kind": "Request",
            "message_id": "m-1",
            "case_id": "c-1",
            "service": "DX-0456",
            "sender": "201000003",
            "recipient": "201000001",
            "stage": None,
        },
        lambda _answer: "/api/v1/messages/m-1",
    ),
}
