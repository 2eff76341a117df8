"""The portal adapter pushes the right applicant-facing status for every stage of a case."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from gateway.adapters import AdapterContext, AdapterMessage
from gateway.adapters.portal import PortalAdapter, PortalSettings
from gateway.reference import DEFAULT_TOKEN, PortalServer
from gateway.schemas.samples import sample_cancellation, sample_refusal, sample_status

HOLDER, REQUESTER = "201000001", "201000003"
CONTEXT = AdapterContext(
    body_names={HOLDER: "Adliya vazirligi", REQUESTER: "Toshkent shahar hokimligi"},
    service_names={"DX-0123": "Uy-joy uchun subsidiya berish"},
)


@pytest.fixture
async def portal() -> AsyncIterator[tuple[PortalServer, PortalAdapter]]:
    async with PortalServer(":memory:") as server:
        settings = PortalSettings(base_url=server.url, token=DEFAULT_TOKEN)  # type: ignore[arg-type]
        async with PortalAdapter(settings, CONTEXT) as adapter:
            yield server, adapter


def stored(server: PortalServer, case_id: str) -> list[dict[str, object]]:
    rows = server.store.query(
        "SELECT status FROM statuses WHERE case_id = ? ORDER BY position", case_id
    )
    return [json.loads(row["status"]) for row in rows]


async def test_a_refusal_shows_the_holders_reasons(
    portal: tuple[PortalServer, PortalAdapter],
) -> None:
    server, adapter = portal
    case = str(uuid.uuid4())
    record = sample_refusal(case_id=case, message_id=str(uuid.uuid4()))
    record["sender"]["code"], record["recipient"]["code"] = HOLDER, REQUESTER
    message = AdapterMessage(
        "Refusal",
        record,
        record["message_id"],
        case,
        record["message_id"],
        {"gateway.received_at": "2026-11-23T05:00:00+00:00"},
        b"",
    )
    receipt = await adapter.deliver(message)
    assert receipt.detail == {"portal_stages": "refused"}
    (status,) = stored(server, case)
    assert status["stage"] == "refused"
    assert status["reasons"] == [dict(r) for r in record["reasons"]]
    assert status["body"] == {"code": HOLDER, "name": "Adliya vazirligi"}
    assert "Adliya vazirligi" in status["text"]["uz"]  # type: ignore[index]
    assert "Adliya vazirligi" in status["text"]["ru"]  # type: ignore[index]


async def test_an_overdue_event_names_the_late_holder(
    portal: tuple[PortalServer, PortalAdapter],
) -> None:
    server, adapter = portal
    case = str(uuid.uuid4())
    record = sample_status(
        event_id=f"{case}.overdue",
        case_id=case,
        message_id=case,
        stage="overdue",
        detail={"service": "DX-0123", "requester": REQUESTER, "holder": HOLDER},
    )
    message = AdapterMessage("Status", record, record["event_id"], case, case, {}, b"")
    await adapter.deliver(message)
    (status,) = stored(server, case)
    assert status["stage"] == "overdue"
    assert status["service"] == {
        "registry_number": "DX-0123",
        "name": "Uy-joy uchun subsidiya berish",
    }
    assert "muddatini o'tkazib yubordi" in status["text"]["uz"]  # type: ignore[index]


async def test_what_means_nothing_to_the_portal_is_not_applicable(
    portal: tuple[PortalServer, PortalAdapter],
) -> None:
    server, adapter = portal
    cancellation = sample_cancellation()
    accepted = sample_status()
    for message in (
        AdapterMessage("Cancellation", cancellation, "c", "c", "c", {}, b""),
        AdapterMessage("Status", accepted, "s", "s", "s", {}, b""),
    ):
        assert (await adapter.deliver(message)).outcome == "not_applicable"
    assert server.stats()["requests"] == 0


async def test_a_changed_deadline_reaches_the_applicant_with_the_new_date(
    portal: tuple[PortalServer, PortalAdapter],
) -> None:
    server, adapter = portal
    case = str(uuid.uuid4())
    new_due = datetime(2026, 11, 17, 13, 0, tzinfo=UTC)  # 18:00 Tashkent
    record = sample_status(
        event_id=f"{case}.deadline_changed.1",
        case_id=case,
        message_id=case,
        stage="deadline_changed",
        deadline=new_due,
        detail={
            "service": "DX-0123",
            "requester": REQUESTER,
            "holder": HOLDER,
            "old_due": "2026-11-16T18:00:00+05:00",
            "new_due": "2026-11-17T18:00:00+05:00",
            "reason": "calendar change: 2026-11-16 day off",
        },
    )
    message = AdapterMessage("Status", record, record["event_id"], case, case, {}, b"")
    receipt = await adapter.deliver(message)
    assert receipt.detail == {"portal_stages": "deadline_changed"}
    (status,) = stored(server, case)
    assert status["stage"] == "deadline_changed"
    assert status["deadline"] == new_due.isoformat()
    assert status["body"] == {"code": HOLDER, "name": "Adliya vazirligi"}
    assert "17.11.2026 18:00" in status["text"]["uz"]  # type: ignore[index]
    assert "17.11.2026 18:00" in status["text"]["ru"]  # type: ignore[index]
    assert "taqvimi" in status["text"]["uz"]  # type: ignore[index]
