"""Open cases when the calendar changes: which deadlines move, what the change writes, and
that intake, the overdue rule and the statistics then judge by the new deadline."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.calendar import (
    BusinessCalendar,
    CalendarFile,
    DeadlinePolicy,
    build_calendar,
    default_calendar,
    load_calendar_file,
)
from gateway.envelope import EnvelopeCodec
from gateway.pipeline import Case, Intake, Outputs
from gateway.pipeline.deadlines import (
    DEADLINE_CHANGED,
    change_reason,
    deadline_changed_outputs,
    recompute_deadline,
)
from gateway.schemas import SchemaRegistry
from gateway.services import ServiceRegistry
from gateway.signing import Signer, Verifier
from gateway.statistics import count_event

from .conftest import (
    ADAPTERS,
    GATEWAY,
    HOLDER,
    NOW,
    REQUESTER,
    SERVICE,
    Exchange,
    new_request,
    new_response,
)

PACKAGE = default_calendar()
POLICY = DeadlinePolicy.within(1)


def tk(text: str) -> datetime:
    return datetime.fromisoformat(text + "+05:00")


def file_with(tmp_path: Path, *days: tuple[date, str]) -> CalendarFile:
    body = "".join(
        f"  - date: {day.isoformat()}\n    kind: {kind}\n"
        "    source: {act: Presidential decree, number: PF-77, date: 2026-11-02}\n"
        for day, kind in days
    )
    path = tmp_path / "calendar.yaml"
    path.write_text("version: 1\ndays:\n" + body, encoding="utf-8")
    return load_calendar_file(path)


def open_case(received: datetime, calendar: BusinessCalendar = PACKAGE, **over: Any) -> Case:
    fields: dict[str, Any] = {
        "case_id": "c-1",
        "request_id": "c-1",
        "requester": REQUESTER,
        "holder": HOLDER,
        "service": SERVICE,
        "adapters": ADAPTERS,
        "received_at": received,
        "due_at": POLICY.deadline_for(received, calendar),
        "term": POLICY.to_text(),
    }
    fields.update(over)
    return Case(**fields)


# --- the rule -------------------------------------------------------------------------------

FRIDAY = tk("2026-11-13T10:00")  # due Monday 16 November 18:00 on the package's calendar
OFF_MONDAY = date(2026, 11, 16)


def test_a_day_off_inside_the_term_moves_the_deadline(tmp_path: Path) -> None:
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    case = open_case(FRIDAY)
    assert case.due_at == tk("2026-11-16T18:00")
    change = recompute_deadline(case, POLICY, new, now=tk("2026-11-13T12:00"))
    assert change is not None
    assert change.applied
    assert change.old_due == tk("2026-11-16T18:00")
    assert change.new_due == tk("2026-11-17T18:00")
    assert change.case.due_at == change.new_due
    assert change.case.deadline_changes == 1
    assert case.deadline_changes == 0  # the stored case is not mutated


def test_a_day_off_outside_the_term_changes_nothing(tmp_path: Path) -> None:
    new = build_calendar(file_with(tmp_path, (date(2026, 11, 18), "day_off")))
    assert recompute_deadline(open_case(FRIDAY), POLICY, new, now=FRIDAY) is None


@pytest.mark.parametrize("status", ["answered", "refused", "cancelled"])
def test_a_closed_case_never_changes(tmp_path: Path, status: str) -> None:
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    case = open_case(FRIDAY, status=status, closed_at=FRIDAY + timedelta(hours=1))
    assert recompute_deadline(case, POLICY, new, now=FRIDAY) is None


def test_a_term_that_already_ended_keeps_its_deadline(tmp_path: Path) -> None:
    """A day off declared after the deadline passed does not undo the breach."""
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    after = tk("2026-11-16T18:30")
    assert recompute_deadline(open_case(FRIDAY), POLICY, new, now=after) is None


def test_a_deadline_is_never_moved_into_the_past(tmp_path: Path) -> None:
    """A working Saturday declared on Monday morning would make Friday's request due on the
    Saturday that has gone by: not applied."""
    new = build_calendar(file_with(tmp_path, (date(2026, 11, 14), "working_day")))
    change = recompute_deadline(open_case(FRIDAY), POLICY, new, now=tk("2026-11-16T08:00"))
    assert change is not None
    assert not change.applied
    assert change.new_due == tk("2026-11-14T18:00")
    # declared in time (on Friday), it applies: due Saturday
    early = recompute_deadline(open_case(FRIDAY), POLICY, new, now=tk("2026-11-13T12:00"))
    assert early is not None
    assert early.applied
    assert early.new_due == tk("2026-11-14T18:00")


def test_exempt_cases_and_policies_are_left_alone(tmp_path: Path) -> None:
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    exempt = open_case(FRIDAY, due_at=None, term="exempt")
    assert recompute_deadline(exempt, DeadlinePolicy.exempt(), new, now=FRIDAY) is None


def test_a_working_hours_term_moves_too(tmp_path: Path) -> None:
    hours = DeadlinePolicy.hours(4)
    case = open_case(
        tk("2026-11-13T16:00"), due_at=hours.deadline_for(tk("2026-11-13T16:00"), PACKAGE)
    )
    assert case.due_at == tk("2026-11-16T11:00")
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    change = recompute_deadline(case, hours, new, now=FRIDAY)
    assert change is not None
    assert change.new_due == tk("2026-11-17T11:00")


# --- the reason and the outputs -------------------------------------------------------------


def test_the_reason_names_the_changed_date_and_its_act(tmp_path: Path) -> None:
    file = file_with(tmp_path, (OFF_MONDAY, "day_off"))
    new = build_calendar(file)
    change = recompute_deadline(open_case(FRIDAY), POLICY, new, now=FRIDAY)
    assert change is not None
    reason = change_reason(change, new, file, previous=PACKAGE)
    assert reason == (
        "calendar change: 2026-11-16 day off: Presidential decree PF-77 of 2026-11-02"
    )
    # without the previous calendar (a worker start): the file's dates in the term
    assert change_reason(change, new, file, previous=None) == reason


def test_a_removed_entry_is_named_as_the_package_day(tmp_path: Path) -> None:
    """The file had Monday off; the entry is removed: the reason says it is a working day."""
    before = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    case = open_case(FRIDAY, calendar=before)
    assert case.due_at == tk("2026-11-17T18:00")
    change = recompute_deadline(case, POLICY, PACKAGE, now=FRIDAY)
    assert change is not None
    assert change.new_due == tk("2026-11-16T18:00")
    reason = change_reason(change, PACKAGE, None, previous=before)
    assert reason.startswith("calendar change: 2026-11-16 working day (holidays package ")


def test_the_change_is_announced_everywhere(
    tmp_path: Path,
    outputs: Outputs,
    registry: SchemaRegistry,
    codec: EnvelopeCodec,
    verifier: Verifier,
) -> None:
    new = build_calendar(file_with(tmp_path, (OFF_MONDAY, "day_off")))
    change = recompute_deadline(open_case(FRIDAY), POLICY, new, now=FRIDAY)
    assert change is not None
    result = deadline_changed_outputs(
        change, outputs, now=NOW, actor=GATEWAY, reason="because", calendar_digest="abc"
    )
    (event,) = [o for o in result if o.topic == "exchange.events"]
    status = registry.decode_single(event.value).record
    assert status["stage"] == DEADLINE_CHANGED
    assert status["event_id"] == "c-1.deadline_changed.1"
    assert status["deadline"] == change.new_due
    assert status["detail"] == {
        "service": SERVICE,
        "requester": REQUESTER,
        "holder": HOLDER,
        "old_due": change.old_due.isoformat(),
        "new_due": change.new_due.isoformat(),
        "reason": "because",
        "reason_code": "calendar_changed",
        "calendar": "abc",
    }
    for org in (REQUESTER, HOLDER):
        (notice,) = [o for o in result if o.topic == f"exchange.inbox.{org}"]
        opened = codec.open(notice.value, verifier, expected_org=GATEWAY, now=NOW)
        assert opened.kind == "Status"
        assert opened.record == status
        assert dict(notice.headers)["stage"] == b"deadline_changed"
    for name in ADAPTERS:
        (copy,) = [o for o in result if o.topic == f"exchange.adapter.{name}"]
        assert copy.value == event.value
    assert len(result) == 1 + 2 + len(ADAPTERS)
    # a replay repeats the event; the next change adds one with the next number
    again = deadline_changed_outputs(
        change, outputs, now=NOW, actor=GATEWAY, reason="because", calendar_digest="abc"
    )
    assert again[0] == event
    second = dataclasses.replace(change, case=dataclasses.replace(change.case, deadline_changes=2))
    later = deadline_changed_outputs(
        second, outputs, now=NOW, actor=GATEWAY, reason="again", calendar_digest="def"
    )
    assert registry.decode_single(later[0].value).record["event_id"] == "c-1.deadline_changed.2"


def test_the_case_keeps_its_policy_and_change_count_in_the_table() -> None:
    case = open_case(FRIDAY, deadline_changes=3)
    data = case.to_json()
    assert data["term"] == "business_days:1"
    assert data["deadline_changes"] == 3
    assert Case.from_json(data) == case
    old = {k: v for k, v in data.items() if k not in ("term", "deadline_changes")}
    assert Case.from_json(old).term is None  # a case stored before this version
    assert Case.from_json(old).deadline_changes == 0


# --- intake, overdue and statistics judge by the calendar in force --------------------------


class Holder:
    """A stand-in for the worker's reloading calendar: ``current`` is swapped."""

    def __init__(self, current: BusinessCalendar) -> None:
        self.current = current


@pytest.fixture
def swappable(
    codec: EnvelopeCodec,
    verifier: Verifier,
    outputs: Outputs,
    services: ServiceRegistry,
    signers: dict[str, Signer],
) -> tuple[Exchange, Holder]:
    holder = Holder(PACKAGE)
    intake = Intake(
        codec, verifier, outputs, lambda: services, lambda: holder.current, gateway_org=GATEWAY
    )
    return Exchange(intake, codec, verifier, signers), holder


def test_intake_counts_on_the_calendar_in_force(
    swappable: tuple[Exchange, Holder], tmp_path: Path
) -> None:
    ex, holder = swappable
    decision, _, full, _ = ex.send("Request", new_request())
    first = ex.cases[full["case_id"]]
    assert first.due_at == PACKAGE.due_date(NOW)
    assert first.term == "business_days:1"
    holder.current = build_calendar(file_with(tmp_path, (first.due_at.date(), "day_off")))
    assert ex.intake.calendar is holder.current
    decision, _, again, _ = ex.send("Request", new_request())
    assert decision.outcome == "accepted"
    later = ex.cases[again["case_id"]].due_at
    assert later is not None
    assert later.date() == PACKAGE.next_working_day(first.due_at.astimezone(PACKAGE.tz).date())


def test_an_answer_after_the_old_deadline_but_before_the_new_is_on_time(
    swappable: tuple[Exchange, Holder], tmp_path: Path
) -> None:
    ex, _ = swappable
    _, _, request, _ = ex.send("Request", new_request())
    case = ex.cases[request["case_id"]]
    assert case.due_at is not None
    new = build_calendar(
        file_with(tmp_path, (case.due_at.astimezone(PACKAGE.tz).date(), "day_off"))
    )
    change = recompute_deadline(case, POLICY, new, now=NOW)
    assert change is not None
    assert change.applied
    ex.cases[case.case_id] = change.case  # what the worker stores
    assert change.case.is_overdue(change.old_due + timedelta(hours=1)) is False
    assert change.case.is_overdue(change.new_due + timedelta(seconds=1)) is True

    at = change.old_due + timedelta(hours=1)
    decision, *_ = ex.send("Response", new_response(request), sent_at=at, at=at)
    assert decision.outcome == "accepted"
    answered = [
        ex.codec.registry.decode_single(o.value).record
        for o in decision.outputs
        if o.topic == "exchange.events"
    ]
    answer = next(e for e in answered if e["stage"] == "answered")
    assert answer["deadline"] == change.new_due
    assert "late" not in answer["detail"]
    tally = count_event(answer, [], new)  # NIS.UZ statistics: on time
    assert tally is not None
    assert tally.counts == {"answered_on_time": 1}
