"""Deadlines of open cases when the calendar changes: the rule, and what it writes.

The rule (regulation 003, items 12, 13, 16, 18, read with the Labour Code's days off): a term
counts from the day of receipt, in working days of the calendar *in force*. A day off that a
decree declares after the request came in, and that falls inside its term, is not a working
day, so the term ends one working day later; a working day declared inside the term (a
working Saturday) is one, so the term ends earlier. The deadline is therefore recomputed, from
the case's own intake time and under the policy it was taken in with, on the new calendar.

Three limits, each so that nobody is judged by a calendar that was not in force:

* a closed case (answered, refused, cancelled) never changes: its timeliness was judged when
  it closed;
* a case whose deadline had already passed when the change arrived keeps it: the term ended,
  on the calendar in force while it ran (and its overdue notice, if sent, stands);
* a change that would move a deadline to a moment already past is not applied (the body
  cannot have been late for a day that was a day off while it lasted); the log says so.

A change that applies gives a ``deadline_changed`` event (old and new deadline, the reason:
which dates changed and the act that changed them), to the events topic (tracking, NIS.UZ
statistics), to the service's adapters (the portal tells the applicant) and, signed by the
gateway, to the requester's and the holder's inboxes. Its id counts the case's changes, so a
replay repeats it and a later change adds one.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from gateway.calendar import (
    BusinessCalendar,
    CalendarFile,
    DeadlinePolicy,
    build_calendar,
    changed_days,
    package_version,
)
from gateway.pipeline.outputs import Output, Outputs
from gateway.pipeline.state import Case
from gateway.topics.names import adapter_topic

__all__ = [
    "DEADLINE_CHANGED",
    "DeadlineChange",
    "change_reason",
    "deadline_changed_outputs",
    "recompute_deadline",
]

DEADLINE_CHANGED = "deadline_changed"
"""The lifecycle stage of a deadline moved by a calendar change."""

_MAX_REASON = 900  # a detail value is read by people; a term spans a few changed days at most


@dataclasses.dataclass(frozen=True, slots=True)
class DeadlineChange:
    """A recomputed deadline: the case as it will be stored, the old and the new due time.

    ``applied`` is False when the new deadline would already be past at the change (the case
    keeps its deadline; see the module's rule).
    """

    case: Case
    old_due: datetime
    new_due: datetime
    applied: bool = True


def recompute_deadline(
    case: Case, policy: DeadlinePolicy, calendar: BusinessCalendar, *, now: datetime
) -> DeadlineChange | None:
    """The new deadline of ``case`` on ``calendar``, or None when nothing is to change.

    None for a closed case, an exempt one, one whose deadline passed before ``now`` and one
    whose deadline is the same on the new calendar. Pure and cheap (a few set look-ups).
    """
    old = case.due_at
    if not case.is_open or old is None or policy.is_exempt or old < now:
        return None
    new = policy.deadline_for(case.received_at, calendar)
    if new is None or new == old:
        return None
    old = old.astimezone(calendar.tz)  # shown to people: both in Tashkent time
    if new < now:
        return DeadlineChange(case, old, new, applied=False)
    moved = dataclasses.replace(case, due_at=new, deadline_changes=case.deadline_changes + 1)
    return DeadlineChange(moved, old, new)


def change_reason(
    change: DeadlineChange,
    calendar: BusinessCalendar,
    file: CalendarFile | None,
    previous: BusinessCalendar | None,
) -> str:
    """Which dates of the term changed and why, in one line for people.

    ``previous`` is the calendar the deadline was last computed on when the worker knows it
    (a reload while it runs); otherwise (a start, a partition taken over) the dates are those
    where the calendar in force differs from the package's data alone.
    """
    receipt = calendar.effective_receipt(change.case.received_at)
    first = min(change.case.received_at.astimezone(calendar.tz).date(), receipt.date())
    last = max(change.old_due, change.new_due).astimezone(calendar.tz).date()
    base = previous if previous is not None else build_calendar(None)
    days = changed_days(base, calendar, first, last)
    parts = []
    for day in days:
        entry = file.entry(day) if file is not None else None
        if entry is not None:
            parts.append(entry.describe())
        else:
            what = "working day" if calendar.is_working_day(day) else "day off"
            parts.append(f"{day.isoformat()} {what} (holidays package {package_version()})")
    if not parts:
        return f"recomputed on the calendar in force (holidays package {package_version()})"
    text = "calendar change: " + "; ".join(parts)
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def deadline_changed_outputs(
    change: DeadlineChange,
    outputs: Outputs,
    *,
    now: datetime,
    actor: str,
    reason: str,
    calendar_digest: str,
) -> list[Output]:
    """The outputs that announce ``change``: event, signed notices to both bodies, adapters."""
    case = change.case
    detail = {
        "service": case.service,
        "requester": case.requester,
        "holder": case.holder,
        "old_due": change.old_due.isoformat(),
        "new_due": change.new_due.isoformat(),
        "reason": reason,
        "reason_code": "calendar_changed",
        "calendar": calendar_digest,
    }
    status = outputs.status(
        case_id=case.case_id,
        message_id=case.request_id,
        stage=DEADLINE_CHANGED,
        at=now,
        actor=actor,
        deadline=change.new_due,
        detail=detail,
        event_key=f"{case.request_id}.{DEADLINE_CHANGED}.{case.deadline_changes}",
    )
    event = outputs.publish(status)
    notices = [outputs.notice(org, status) for org in (case.requester, case.holder)]
    adapters = [
        Output(adapter_topic(a), event.key, event.value, event.headers) for a in case.adapters
    ]
    return [event, *notices, *adapters]
