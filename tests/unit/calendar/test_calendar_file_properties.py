"""Properties of every deadline policy on the calendar in force, for intakes over 2025-2027.

The calendar is the repository's ``calendar.yaml`` over the package, plus one random entry
the test adds to the file (a day off on a working day, or a working day on a day off): every
deadline is a working day at the end of working hours (a working-hours term ends within
working hours), never before the intake, and moves exactly as the added entry says, checked
against a plain day-by-day count over the non-working dates written out by the test itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.calendar import (
    BusinessCalendar,
    CalendarFile,
    DeadlinePolicy,
    build_calendar,
    load_calendar_file,
)
from gateway.calendar.entries import CalendarEntry, LegalSource

ROOT = Path(__file__).resolve().parents[3]
REPO = load_calendar_file(ROOT / "calendar.yaml")
IN_FORCE = build_calendar(REPO)
TZ = IN_FORCE.tz
OPEN, CLOSE = time(9), time(18)
SOURCE = LegalSource("Presidential decree", "PF-0", date(2024, 12, 1))
SETTINGS = settings(max_examples=200, deadline=None, database=None)

INTAKES = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 -- hypothesis bounds are naive by design
    max_value=datetime(2027, 12, 31, 23, 59),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, TZ]),
)
BUSINESS = st.integers(min_value=1, max_value=5).map(DeadlinePolicy.within)
HOURS = st.integers(min_value=1, max_value=30).map(DeadlinePolicy.hours)
POLICIES = BUSINESS | HOURS


def with_entry(entry: CalendarEntry) -> BusinessCalendar:
    return build_calendar(CalendarFile((*REPO.entries, entry)))


def off_days(calendar: BusinessCalendar, first: int = 2024, last: int = 2029) -> set[date]:
    out: set[date] = set()
    for year in range(first, last + 1):
        out |= calendar.non_working_days(year)
    return out


def reference_due(off: set[date], intake: datetime, days: int) -> datetime:
    """Contract 000 10.3 and items 12, 13, 16, 18, counted by hand over the ``off`` dates."""
    local = intake.astimezone(TZ)
    day = local.date()
    if day in off or local.time() >= CLOSE:
        day += timedelta(days=1)
        while day in off:
            day += timedelta(days=1)
    for _ in range(days):
        day += timedelta(days=1)
        while day in off:
            day += timedelta(days=1)
    return datetime.combine(day, CLOSE, tzinfo=TZ)


@SETTINGS
@given(intake=INTAKES, policy=POLICIES)
def test_every_deadline_is_in_working_time_and_after_the_intake(
    intake: datetime, policy: DeadlinePolicy
) -> None:
    due = policy.deadline_for(intake, IN_FORCE)
    assert due is not None
    assert due > intake
    local = due.astimezone(TZ)
    assert IN_FORCE.is_working_day(local.date())
    if policy.business_days is not None:
        assert local.time() == CLOSE  # the end of working hours
        assert due == reference_due(off_days(IN_FORCE), intake, policy.business_days)
    else:
        assert OPEN < local.time() <= CLOSE
        received = IN_FORCE.effective_receipt(intake)
        assert IN_FORCE.working_time_between(received, due) == timedelta(
            hours=policy.working_hours or 0
        )


@st.composite
def a_day_off_on_a_working_day(draw: st.DrawFn) -> date:
    day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 1, 31)))
    while not IN_FORCE.is_working_day(day) or REPO.entry(day) is not None:
        day += timedelta(days=1)  # a date the file lists already is an error of its own
    return day


@SETTINGS
@given(intake=INTAKES, days=st.integers(min_value=1, max_value=5), off=a_day_off_on_a_working_day())
def test_a_day_off_added_moves_exactly_the_terms_that_contain_it(
    intake: datetime, days: int, off: date
) -> None:
    before = IN_FORCE.due_date(intake, days)
    after_calendar = with_entry(CalendarEntry(off, "day_off", SOURCE))
    after = after_calendar.due_date(intake, days)
    receipt_day = IN_FORCE.effective_receipt(intake).date()
    if receipt_day <= off <= before.date():
        # one working day later: the day after the old deadline that the old calendar works
        assert after == datetime.combine(IN_FORCE.next_working_day(before.date()), CLOSE, TZ)
    else:
        assert after == before
    assert after == reference_due(off_days(IN_FORCE) | {off}, intake, days)


@st.composite
def a_working_day_on_a_day_off(draw: st.DrawFn) -> date:
    day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 1, 31)))
    while IN_FORCE.is_working_day(day) or REPO.entry(day) is not None:
        day += timedelta(days=1)
    return day


@SETTINGS
@given(
    intake=INTAKES, days=st.integers(min_value=1, max_value=5), work=a_working_day_on_a_day_off()
)
def test_a_working_day_added_moves_a_term_earlier_only_if_it_lies_within(
    intake: datetime, days: int, work: date
) -> None:
    before = IN_FORCE.due_date(intake, days)
    after = with_entry(CalendarEntry(work, "working_day", SOURCE)).due_date(intake, days)
    assert after <= before
    assert after > intake
    intake_day = intake.astimezone(TZ).date()
    if not intake_day <= work <= before.date():
        assert after == before
    assert after == reference_due(off_days(IN_FORCE) - {work}, intake, days)
