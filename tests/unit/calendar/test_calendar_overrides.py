"""The file over the package: what a decree day, a working Saturday and a moved Eid do to
deadlines. Expected moments are worked out by hand from the dates named in each test."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from gateway.calendar import (
    REGULATION_DEADLINE,
    BusinessCalendar,
    CalendarError,
    DeadlinePolicy,
    build_calendar,
    changed_days,
    default_calendar,
    describe_year,
    load_calendar_file,
)
from gateway.calendar.entries import CalendarFile
from gateway.exceptions import ConfigError

PACKAGE = default_calendar()


def tk(text: str) -> datetime:
    return datetime.fromisoformat(text + "+05:00")


def calendar_file(tmp_path: Path, *entries: str) -> CalendarFile:
    body = "".join(
        f"  - date: {day}\n    kind: {kind}\n{extra}"
        "    source: {act: Presidential decree, number: PF-1, date: 2026-11-01}\n"
        for day, kind, extra in (_split(e) for e in entries)
    )
    path = tmp_path / "calendar.yaml"
    path.write_text("version: 1\ndays:\n" + body, encoding="utf-8")
    return load_calendar_file(path)


def _split(entry: str) -> tuple[str, str, str]:
    day, kind, *moved = entry.split()
    return day, kind, "".join(f"    moved_from: {m}\n" for m in moved)


def hours(first: str, last: str) -> list[datetime]:
    out, at = [], tk(first)
    while at <= tk(last):
        out.append(at)
        at += timedelta(minutes=37)  # not a divisor of an hour: lands on every time of day
    return out


def test_without_entries_the_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("version: 1\ndays: []\n", encoding="utf-8")
    merged = build_calendar(load_calendar_file(path))
    for year in (2025, 2026, 2027):
        assert merged.non_working_days(year) == PACKAGE.non_working_days(year)
    assert build_calendar(None).non_working_days(2026) == PACKAGE.non_working_days(2026)


def test_a_decree_day_off_moves_the_deadlines_it_should_and_no_others(tmp_path: Path) -> None:
    """Monday 16 November 2026 declared a day off: every term that contains it ends one
    working day later, every other term stays; checked for intakes all over two weeks."""
    off = date(2026, 11, 16)
    merged = build_calendar(calendar_file(tmp_path, "2026-11-16 day_off"))
    assert PACKAGE.is_working_day(off)
    assert not merged.is_working_day(off)
    moved = kept = 0
    for intake in hours("2026-11-09T00:00", "2026-11-23T00:00"):
        for days in (1, 2):
            before = PACKAGE.due_date(intake, days)
            after = merged.due_date(intake, days)
            receipt_day = PACKAGE.effective_receipt(intake).date()
            if receipt_day <= off <= before.date():
                expected = datetime.combine(
                    PACKAGE.next_working_day(before.date()), PACKAGE.work_end, tzinfo=PACKAGE.tz
                )
                assert after == expected, (intake, days)
                moved += 1
            else:
                assert after == before, (intake, days)
                kept += 1
    assert moved > 0
    assert kept > 0
    # by hand: Friday 13 November in hours is due Monday 16, now Tuesday 17
    assert PACKAGE.due_date(tk("2026-11-13T10:00")) == tk("2026-11-16T18:00")
    assert merged.due_date(tk("2026-11-13T10:00")) == tk("2026-11-17T18:00")
    # received on the new day off itself: counts from Tuesday 09:00, due Wednesday
    assert merged.effective_receipt(tk("2026-11-16T10:00")) == tk("2026-11-17T09:00")
    assert merged.due_date(tk("2026-11-16T10:00")) == tk("2026-11-18T18:00")
    # Thursday 12 November: due Friday 13, before the day off, unchanged
    assert merged.due_date(tk("2026-11-12T10:00")) == tk("2026-11-13T18:00")


def test_a_working_saturday_makes_a_friday_evening_intake_due_a_day_earlier(
    tmp_path: Path,
) -> None:
    merged = build_calendar(calendar_file(tmp_path, "2026-11-14 working_day"))
    friday_evening = tk("2026-11-13T19:00")
    # the package: received Monday 16 at 09:00, due Tuesday 17
    assert PACKAGE.due_date(friday_evening) == tk("2026-11-17T18:00")
    # the working Saturday: received Saturday 09:00, due Monday 16
    assert merged.effective_receipt(friday_evening) == tk("2026-11-14T09:00")
    assert merged.due_date(friday_evening) == tk("2026-11-16T18:00")
    # Friday in hours: due Monday in the package, Saturday now
    assert merged.due_date(tk("2026-11-13T11:00")) == tk("2026-11-14T18:00")
    # the Sunday after stays a day off
    assert not merged.is_working_day(date(2026, 11, 15))
    # a week later nothing changed
    assert merged.due_date(tk("2026-11-20T19:00")) == PACKAGE.due_date(tk("2026-11-20T19:00"))


def test_an_estimated_eid_moved_by_the_file(tmp_path: Path) -> None:
    """The package estimates Ro'za hayit 2027 on Tuesday 9 March; the file fixes it on
    Wednesday 10 March. (Monday 8 March is Women's Day either way.)"""
    merged = build_calendar(calendar_file(tmp_path, "2027-03-10 day_off 2027-03-09"))
    assert not PACKAGE.is_working_day(date(2027, 3, 9))
    assert PACKAGE.is_working_day(date(2027, 3, 10))
    assert merged.is_working_day(date(2027, 3, 9))
    assert not merged.is_working_day(date(2027, 3, 10))
    assert not merged.is_working_day(date(2027, 3, 8))
    # Friday 5 March: the package skips Mon 8 and Tue 9 -> Wed 10; now due Tue 9
    assert PACKAGE.due_date(tk("2027-03-05T10:00")) == tk("2027-03-10T18:00")
    assert merged.due_date(tk("2027-03-05T10:00")) == tk("2027-03-09T18:00")
    # Tuesday 9 March: received that day now, Wednesday off -> due Thursday (the same moment
    # as before, for another reason: the package counted from Wednesday)
    assert merged.effective_receipt(tk("2027-03-09T10:00")) == tk("2027-03-09T10:00")
    assert merged.due_date(tk("2027-03-09T10:00")) == tk("2027-03-11T18:00")
    # Wednesday 10 March: received Thursday 09:00 now -> due Friday 12
    assert PACKAGE.due_date(tk("2027-03-10T10:00")) == tk("2027-03-11T18:00")
    assert merged.due_date(tk("2027-03-10T10:00")) == tk("2027-03-12T18:00")
    assert changed_days(PACKAGE, merged, date(2027, 3, 1), date(2027, 3, 31)) == [
        date(2027, 3, 9),
        date(2027, 3, 10),
    ]


def test_a_holiday_moved_away_from_a_weekend_leaves_the_weekend_off(tmp_path: Path) -> None:
    """Qurbon hayit 2027 is estimated on Sunday 16 May: moving it to Saturday 15 does not
    make Sunday a working day."""
    merged = build_calendar(calendar_file(tmp_path, "2027-05-15 day_off 2027-05-16"))
    assert not merged.is_working_day(date(2027, 5, 16))


def test_show_names_every_origin(tmp_path: Path) -> None:
    file = calendar_file(tmp_path, "2027-03-10 day_off 2027-03-09", "2027-11-13 working_day")
    view = describe_year(file, 2027)
    by_day = {d.day: d for d in view.days}
    assert by_day[date(2027, 1, 1)].origin == "package"
    assert by_day[date(2027, 5, 16)].origin == "package_estimated"
    assert by_day[date(2027, 3, 9)].origin == "file"
    assert by_day[date(2027, 3, 9)].working
    assert "moved to 2027-03-10" in by_day[date(2027, 3, 9)].name
    assert by_day[date(2027, 3, 10)].source is not None
    assert by_day[date(2027, 11, 13)].working
    assert by_day[date(2027, 11, 13)].origin == "file"
    listed_off = sum(1 for d in view.days if not d.working)
    merged = build_calendar(file)
    assert listed_off + view.weekend_days_off == len(merged.non_working_days(2027))
    assert view.working_days == 365 - len(merged.non_working_days(2027))
    as_json = view.as_dict()
    assert as_json["year"] == 2027
    assert isinstance(as_json["days"], list)


# --- terms in working hours ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("intake", "hours", "due"),
    [
        ("2026-11-13T16:00", 4, "2026-11-16T11:00"),  # Fri 16:00 + 2 h, Mon 09:00 + 2 h
        ("2026-11-13T10:00", 8, "2026-11-13T18:00"),  # ends exactly at the end of the day
        ("2026-11-13T10:00", 9, "2026-11-16T10:00"),
        ("2026-11-13T19:00", 9, "2026-11-16T18:00"),  # after hours: counts from Mon 09:00
        ("2026-11-14T12:00", 1, "2026-11-16T10:00"),  # Saturday: from Monday
        ("2026-12-30T17:00", 2, "2027-01-04T10:00"),  # Thu 31 Dec off, Fri 1 Jan, weekend
    ],
)
def test_working_hours_terms(intake: str, hours: int, due: str) -> None:
    policy = DeadlinePolicy.hours(hours)
    assert policy.deadline_for(tk(intake), PACKAGE) == tk(due)


def test_working_hours_term_follows_the_file(tmp_path: Path) -> None:
    merged = build_calendar(calendar_file(tmp_path, "2026-11-16 day_off"))
    assert DeadlinePolicy.hours(4).deadline_for(tk("2026-11-13T16:00"), merged) == tk(
        "2026-11-17T11:00"
    )


def test_working_time_needs_a_positive_amount() -> None:
    with pytest.raises(CalendarError):
        PACKAGE.after_working_time(tk("2026-11-13T10:00"), timedelta(0))


@pytest.mark.parametrize(
    "policy",
    [REGULATION_DEADLINE, DeadlinePolicy.within(3), DeadlinePolicy.hours(4), DeadlinePolicy()],
)
def test_policies_round_trip_as_text(policy: DeadlinePolicy) -> None:
    assert DeadlinePolicy.from_text(policy.to_text()) == policy
    assert DeadlinePolicy.from_text("exempt").is_exempt


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "working_hours"}, "working_hours"),
        ({"kind": "working_hours", "working_hours": 0}, "working_hours"),
        ({"kind": "working_hours", "working_hours": 4, "business_days": 1}, "business_days"),
        ({"kind": "business_days", "working_hours": 4}, "working_hours"),
        ({"kind": "exempt", "working_hours": 4}, "working_hours"),
    ],
)
def test_bad_working_hours_policies(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DeadlinePolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize("text", ["", "days:1", "business_days:x", "exempt:1", "working_hours:"])
def test_bad_policy_text(text: str) -> None:
    with pytest.raises(ConfigError):
        DeadlinePolicy.from_text(text)


def test_business_calendar_type_is_what_build_returns(tmp_path: Path) -> None:
    assert isinstance(build_calendar(calendar_file(tmp_path)), BusinessCalendar)
