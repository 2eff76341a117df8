"""Properties of the deadline arithmetic that must hold for every intake moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.calendar import default_calendar

CALENDAR = default_calendar()
TASHKENT_OFFSET = timedelta(hours=5)

SETTINGS = settings(max_examples=150, deadline=None, database=None)

ZONES = st.sampled_from(
    [
        UTC,
        CALENDAR.tz,
        timezone(timedelta(hours=3)),
        timezone(timedelta(hours=-5)),
        timezone(timedelta(hours=9)),
        timezone(timedelta(hours=5, minutes=45)),
    ]
)
# 2024-2027: the years whose decrees the package knows, plus one year of estimates.
MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=ZONES,
    allow_imaginary=False,
)
DAYS = st.integers(min_value=1, max_value=5)


def reference_working_time(start: datetime, end: datetime) -> timedelta:
    """Slow, obvious version: walk every day and clip it to 09:00-18:00 Tashkent."""
    lo, hi = CALENDAR.to_local(start), CALENDAR.to_local(end)
    total = timedelta(0)
    day: date = lo.date()
    while day <= hi.date():
        if CALENDAR.is_working_day(day):
            opens = datetime.combine(day, CALENDAR.work_start, tzinfo=CALENDAR.tz)
            closes = datetime.combine(day, CALENDAR.work_end, tzinfo=CALENDAR.tz)
            total += max(min(hi, closes) - max(lo, opens), timedelta(0))
        day += timedelta(days=1)
    return total


@SETTINGS
@given(intake=MOMENTS, days=DAYS)
def test_due_is_a_working_day_at_18_tashkent(intake: datetime, days: int) -> None:
    due = CALENDAR.due_date(intake, days)
    assert due.utcoffset() == TASHKENT_OFFSET
    assert due.timetz().replace(tzinfo=None) == CALENDAR.work_end
    assert CALENDAR.is_working_day(due.date())


@SETTINGS
@given(intake=MOMENTS, days=DAYS)
def test_due_is_after_effective_receipt(intake: datetime, days: int) -> None:
    received = CALENDAR.effective_receipt(intake)
    due = CALENDAR.due_date(intake, days)
    assert due > received
    # exactly `days` working days after the day of receipt, the receipt day excluded
    assert CALENDAR.working_days_in(received.date() + timedelta(days=1), due.date()) == days


@SETTINGS
@given(intake=MOMENTS)
def test_effective_receipt_is_in_working_hours_and_not_before_intake(intake: datetime) -> None:
    received = CALENDAR.effective_receipt(intake)
    assert received >= intake
    assert received.utcoffset() == TASHKENT_OFFSET
    assert CALENDAR.is_working_day(received.date())
    assert CALENDAR.work_start <= received.time() < CALENDAR.work_end
    # nothing but non-working time lies between intake and receipt
    assert CALENDAR.working_time_between(intake, received) == timedelta(0)
    # receipt is idempotent
    assert CALENDAR.effective_receipt(received) == received


@SETTINGS
@given(first=MOMENTS, second=MOMENTS, days=DAYS)
def test_later_intake_never_gives_an_earlier_deadline(
    first: datetime, second: datetime, days: int
) -> None:
    early, late = sorted((first, second))
    assert CALENDAR.effective_receipt(early) <= CALENDAR.effective_receipt(late)
    assert CALENDAR.due_date(early, days) <= CALENDAR.due_date(late, days)


@SETTINGS
@given(intake=MOMENTS, days=DAYS)
def test_a_longer_term_ends_later(intake: datetime, days: int) -> None:
    assert CALENDAR.due_date(intake, days + 1) > CALENDAR.due_date(intake, days)


@SETTINGS
@given(moments=st.lists(MOMENTS, min_size=3, max_size=3))
def test_working_time_is_additive_and_never_negative(moments: list[datetime]) -> None:
    a, b, c = sorted(moments)
    ab = CALENDAR.working_time_between(a, b)
    bc = CALENDAR.working_time_between(b, c)
    ac = CALENDAR.working_time_between(a, c)
    assert ab >= timedelta(0)
    assert bc >= timedelta(0)
    assert ab + bc == ac
    hours = CALENDAR.working_hours_between(a, c)
    assert hours >= 0.0
    split = CALENDAR.working_hours_between(a, b) + CALENDAR.working_hours_between(b, c)
    assert abs(split - hours) < 1e-9
    assert hours <= (c - a) / timedelta(hours=1)


@settings(max_examples=60, deadline=None, database=None)
@given(first=MOMENTS, second=MOMENTS)
def test_working_time_matches_a_day_by_day_count(first: datetime, second: datetime) -> None:
    start, end = sorted((first, second))
    assert CALENDAR.working_time_between(start, end) == reference_working_time(start, end)


@SETTINGS
@given(intake=MOMENTS, days=DAYS)
def test_due_date_is_within_the_term_in_working_hours(intake: datetime, days: int) -> None:
    """From receipt to deadline: the rest of the receipt day plus ``days`` whole working days."""
    received = CALENDAR.effective_receipt(intake)
    due = CALENDAR.due_date(intake, days)
    worked = CALENDAR.working_time_between(received, due)
    rest_of_receipt_day = (
        datetime.combine(received.date(), CALENDAR.work_end, tzinfo=CALENDAR.tz) - received
    )
    assert worked == rest_of_receipt_day + CALENDAR.working_day_length * days
    assert CALENDAR.working_day_length * days < worked <= CALENDAR.working_day_length * (days + 1)
