"""Configuration, argument checks, working hours and deadline policies of the calendar."""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

import gateway.calendar as calendar_package
from gateway.calendar import (
    ARCHIVE_REFERENCE_DEADLINE,
    REGULATION_DEADLINE,
    BusinessCalendar,
    CalendarError,
    DeadlinePolicy,
    default_calendar,
)
from gateway.exceptions import ConfigError, GatewayError


def tk(text: str) -> datetime:
    """Tashkent wall-clock time from ISO text without an offset."""
    return datetime.fromisoformat(text + "+05:00")


# --- the public surface -----------------------------------------------------------------------


def test_exports_are_what_all_claims() -> None:
    for name in calendar_package.__all__:
        assert hasattr(calendar_package, name), name
    public = {name for name in vars(calendar_package) if not name.startswith("_")}
    modules = {
        "business",
        "check",
        "entries",
        "exceptions",
        "merged",
        "policy",
        "reloading",
        "spec",
    }
    assert public - modules - {"annotations"} == set(calendar_package.__all__)


def test_default_calendar_is_shared_and_in_tashkent() -> None:
    calendar = default_calendar()
    assert calendar is default_calendar()
    assert calendar.tz.key == "Asia/Tashkent"
    assert calendar.work_start == time(9)
    assert calendar.work_end == time(18)
    assert calendar.working_day_length == timedelta(hours=9)
    assert "Asia/Tashkent" in repr(calendar)


def test_calendar_error_is_a_gateway_error_and_a_value_error() -> None:
    with pytest.raises(CalendarError) as caught:
        default_calendar().due_date(datetime(2025, 6, 10, 10))  # noqa: DTZ001 - on purpose
    assert isinstance(caught.value, GatewayError)
    assert isinstance(caught.value, ValueError)
    assert not caught.value.retriable
    assert "naive" in str(caught.value)


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tz": "Asia/Nowhere"}, "tz"),
        ({"tz": "../etc/passwd"}, "tz"),
        ({"work_start": time(18), "work_end": time(9)}, "work_end"),
        ({"work_start": time(9), "work_end": time(9)}, "work_end"),
        ({"work_start": time(9, tzinfo=UTC)}, "work_start"),
        ({"extra_holidays": [datetime(2025, 6, 10, tzinfo=UTC)]}, "extra_holidays"),
        ({"extra_workdays": ["2025-06-14"]}, "extra_workdays"),
        (
            {"extra_holidays": [date(2025, 6, 10)], "extra_workdays": [date(2025, 6, 10)]},
            "extra_workdays",
        ),
    ],
)
def test_bad_configuration_is_a_config_error(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_extra_holidays_and_workdays_override_the_package() -> None:
    # a decree the package does not know: Wed 11 Jun 2025 off, Sat 14 Jun 2025 worked
    calendar = BusinessCalendar(
        extra_holidays=[date(2025, 6, 11)], extra_workdays=[date(2025, 6, 14), date(2025, 6, 6)]
    )
    assert not calendar.is_working_day(date(2025, 6, 11))
    assert calendar.is_working_day(date(2025, 6, 14))
    assert calendar.is_working_day(date(2025, 6, 6))  # Eid al-Adha made a working day
    # Tue 10 Jun: Wed 11 off -> Thu 12
    assert calendar.due_date(tk("2025-06-10T10:00")) == tk("2025-06-12T18:00")
    # Fri 13 Jun: Sat 14 worked
    assert calendar.due_date(tk("2025-06-13T10:00")) == tk("2025-06-14T18:00")
    # the default calendar is untouched
    assert default_calendar().is_working_day(date(2025, 6, 11))


def test_other_hours_and_zone() -> None:
    calendar = BusinessCalendar(tz="Europe/Moscow", work_start=time(8, 30), work_end=time(17))
    assert calendar.working_day_length == timedelta(hours=8, minutes=30)
    intake = datetime(2025, 6, 10, 17, 0, tzinfo=UTC)  # 20:00 Moscow -> next day 08:30
    received = calendar.effective_receipt(intake)
    assert received.isoformat() == "2025-06-11T08:30:00+03:00"
    assert calendar.due_date(intake).isoformat() == "2025-06-12T17:00:00+03:00"


# --- argument checks --------------------------------------------------------------------------


NAIVE = datetime(2025, 6, 10, 10)  # noqa: DTZ001 - the value under test


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.effective_receipt(NAIVE),
        lambda c: c.due_date(NAIVE),
        lambda c: c.to_local(NAIVE),
        lambda c: c.working_hours_between(NAIVE, tk("2025-06-11T10:00")),
        lambda c: c.working_hours_between(tk("2025-06-09T10:00"), NAIVE),
        lambda c: REGULATION_DEADLINE.deadline_for(NAIVE, c),
        lambda c: ARCHIVE_REFERENCE_DEADLINE.deadline_for(NAIVE, c),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[BusinessCalendar], object]) -> None:
    with pytest.raises(CalendarError, match="naive datetime"):
        call(default_calendar())


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_day(tk("2025-06-10T10:00")),
        lambda c: c.next_working_day(tk("2025-06-10T10:00")),
        lambda c: c.working_days_in(tk("2025-06-10T10:00"), date(2025, 6, 11)),
    ],
)
def test_datetimes_are_refused_where_a_date_is_meant(
    call: Callable[[BusinessCalendar], object],
) -> None:
    with pytest.raises(CalendarError, match="calendar date"):
        call(default_calendar())


@pytest.mark.parametrize("days", [0, -1, True, 1.0])
def test_due_date_needs_a_positive_whole_count(days: object) -> None:
    with pytest.raises(CalendarError):
        default_calendar().due_date(tk("2025-06-10T10:00"), days)  # type: ignore[arg-type]


def test_no_working_day_within_a_year_is_reported() -> None:
    start = date(2025, 1, 1)
    every_day = [start + timedelta(days=n) for n in range(400)]
    calendar = BusinessCalendar(extra_holidays=every_day)
    with pytest.raises(CalendarError, match="no working day"):
        calendar.next_working_day(start)


# --- days -------------------------------------------------------------------------------------


def test_next_working_day_is_strictly_after() -> None:
    calendar = default_calendar()
    assert calendar.next_working_day(date(2025, 6, 10)) == date(2025, 6, 11)
    assert calendar.next_working_day(date(2025, 6, 13)) == date(2025, 6, 16)
    assert calendar.next_working_day(date(2025, 1, 3)) == date(2025, 1, 4)  # working Sat
    assert calendar.next_working_day(date(2026, 12, 30)) == date(2027, 1, 4)


def test_working_days_in() -> None:
    calendar = default_calendar()
    assert calendar.working_days_in(date(2025, 6, 9), date(2025, 6, 15)) == 5
    assert calendar.working_days_in(date(2025, 6, 15), date(2025, 6, 9)) == 0
    # 30 Dec 2025 .. 5 Jan 2026: Tue 30 and Mon 5 only
    assert calendar.working_days_in(date(2025, 12, 30), date(2026, 1, 5)) == 2
    # 1..7 Jan 2025: Fri 3, Sat 4 (working), Mon 6, Tue 7
    assert calendar.working_days_in(date(2025, 1, 1), date(2025, 1, 7)) == 4


def test_non_working_days_holds_weekends_and_not_working_saturdays() -> None:
    days_off = default_calendar().non_working_days(2026)
    assert date(2026, 12, 12) not in days_off
    assert date(2026, 12, 19) in days_off
    assert date(2026, 12, 31) in days_off


# --- working hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2025-06-10T10:00", "2025-06-10T12:30", 2.5),  # same day, in hours
        ("2025-06-10T07:00", "2025-06-10T20:00", 9.0),  # whole working day
        ("2025-06-10T18:00", "2025-06-11T09:00", 0.0),  # the night
        ("2025-06-13T17:00", "2025-06-16T10:00", 2.0),  # Fri 17-18, Mon 9-10
        ("2025-06-14T10:00", "2025-06-15T15:00", 0.0),  # weekend only
        ("2025-03-20T17:00", "2025-03-24T10:00", 2.0),  # over Navruz
        ("2025-06-09T00:00", "2025-06-16T00:00", 45.0),  # a full week
        ("2025-01-03T12:00", "2025-01-06T12:00", 6.0 + 9.0 + 3.0),  # working Saturday
        ("2025-12-30T17:30", "2026-01-05T09:30", 1.0),  # year end
        ("2025-06-10T10:00", "2025-06-10T10:00", 0.0),  # empty
    ],
)
def test_working_hours_between_examples(start: str, end: str, hours: float) -> None:
    assert default_calendar().working_hours_between(tk(start), tk(end)) == hours


def test_working_hours_between_mixed_offsets() -> None:
    start = datetime(2025, 6, 10, 4, 0, tzinfo=UTC)  # 09:00 Tashkent
    end = datetime.fromisoformat("2025-06-10T14:00+03:00")  # 16:00 Tashkent
    assert default_calendar().working_hours_between(start, end) == 7.0


def test_working_hours_between_refuses_a_reversed_interval() -> None:
    with pytest.raises(CalendarError, match="ends before it starts"):
        default_calendar().working_hours_between(tk("2025-06-11T10:00"), tk("2025-06-10T10:00"))


def test_working_hours_between_is_fast_for_long_spans() -> None:
    calendar = default_calendar()
    calendar.working_hours_between(tk("2015-01-01T00:00"), tk("2030-01-01T00:00"))  # warm up
    started = clock.perf_counter()
    for _ in range(100):
        hours = calendar.working_hours_between(tk("2015-01-01T00:00"), tk("2030-01-01T00:00"))
    assert clock.perf_counter() - started < 1.0
    working_days = calendar.working_days_in(date(2015, 1, 1), date(2029, 12, 31))
    assert hours == working_days * 9.0


# --- deadline policies ------------------------------------------------------------------------


def test_regulation_policy_is_one_business_day() -> None:
    assert DeadlinePolicy() == DeadlinePolicy.within(1) == REGULATION_DEADLINE
    assert REGULATION_DEADLINE.business_days == 1
    assert not REGULATION_DEADLINE.is_exempt
    deadline = REGULATION_DEADLINE.deadline_for(tk("2025-06-13T18:30"), default_calendar())
    assert deadline == tk("2025-06-17T18:00")


def test_longer_policy() -> None:
    policy = DeadlinePolicy("business_days", 3)
    assert policy == DeadlinePolicy.within(3)
    deadline = policy.deadline_for(tk("2025-03-20T10:00"), default_calendar())
    assert deadline == tk("2025-03-26T18:00")


def test_exempt_policy_has_no_deadline() -> None:
    """Item 22: archive references are exempt from the one-business-day term."""
    assert ARCHIVE_REFERENCE_DEADLINE == DeadlinePolicy("exempt") == DeadlinePolicy.exempt()
    assert ARCHIVE_REFERENCE_DEADLINE.is_exempt
    assert ARCHIVE_REFERENCE_DEADLINE.business_days is None
    for intake in ("2025-06-10T10:00", "2025-03-21T10:00", "2026-12-31T23:00"):
        assert ARCHIVE_REFERENCE_DEADLINE.deadline_for(tk(intake), default_calendar()) is None


def test_policies_are_frozen() -> None:
    with pytest.raises(AttributeError):
        REGULATION_DEADLINE.business_days = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "days", "field"),
    [
        ("business_days", 0, "business_days"),
        ("business_days", -1, "business_days"),
        ("business_days", True, "business_days"),
        ("business_days", "2", "business_days"),
        ("exempt", 1, "business_days"),
        ("calendar_days", 1, "kind"),
    ],
)
def test_bad_policy_is_a_config_error(kind: str, days: object, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DeadlinePolicy(kind, days)  # type: ignore[arg-type]
    assert caught.value.field == field
