"""The calendar in force follows its file; a bad file keeps the last good calendar."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gateway.calendar import ReloadingCalendar
from gateway.exceptions import SpecError

T0 = 1_700_000_000_000_000_000
T1 = T0 + 7_000_000_000
T2 = T1 + 7_000_000_000
T3 = T2 + 7_000_000_000

SOURCE = "    source: {act: Presidential decree, number: PF-1, date: 2026-11-01}\n"
ONE = "version: 1\ndays:\n  - date: 2026-11-16\n    kind: day_off\n" + SOURCE
TWO = ONE + "  - date: 2026-11-17\n    kind: day_off\n" + SOURCE
OFF_16, OFF_17 = date(2026, 11, 16), date(2026, 11, 17)


def clock() -> datetime:
    return datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


def write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "calendar.yaml"
    write(p, ONE, T0)
    return p


def test_starts_with_the_file_in_force(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    assert not calendars.current.is_working_day(OFF_16)
    assert calendars.current.is_working_day(OFF_17)
    assert calendars.last_error is None
    assert calendars.today() == date(2026, 11, 10)
    assert calendars.refresh() is False


def test_a_bad_or_missing_file_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        ReloadingCalendar(tmp_path / "calendar.yaml")
    bad = tmp_path / "calendar.yaml"
    write(bad, ONE.replace("day_off", "day-off"), T0)
    with pytest.raises(SpecError, match=r"calendar.yaml:4 .* kind must be"):
        ReloadingCalendar(bad)


def test_a_changed_file_takes_effect(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    before = calendars.current
    digest = calendars.digest
    write(path, TWO, T1)
    with capture_logs() as logs:
        assert calendars.refresh() is True
    assert calendars.current is not before
    assert not calendars.current.is_working_day(OFF_17)
    assert before.is_working_day(OFF_17)  # the old calendar object is untouched
    assert calendars.digest != digest
    assert logs[-1]["event"] == "calendar_reloaded"
    assert logs[-1]["entries"] == 2


def test_a_bad_file_keeps_the_last_good_calendar_and_says_why(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    good = calendars.current
    write(path, TWO.replace("2026-11-17", "2026-11-31"), T1)
    with capture_logs() as logs:
        assert calendars.refresh() is False
    assert calendars.current is good
    assert calendars.last_error is not None
    assert "calendar.yaml:6" in str(calendars.last_error)
    (event,) = logs
    assert event["event"] == "calendar_reload_failed"
    assert event["log_level"] == "warning"
    assert "calendar.yaml:6" in event["error"]
    # the same bad file is not read again; the fixed one is
    assert calendars.refresh() is False
    write(path, TWO, T2)
    assert calendars.refresh() is True
    assert calendars.last_error is None
    assert not calendars.current.is_working_day(OFF_17)


def test_rewording_keeps_the_calendar(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    before = calendars.current
    write(path, ONE + '    note: "reworded"\n', T1)
    assert calendars.refresh() is False  # the same days: no deadline can change
    assert calendars.current is before
    assert calendars.file.entries[0].note == "reworded"


def test_a_vanished_file_is_reported_and_its_return_clears_it(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    good = calendars.current
    moved = path.with_suffix(".bak")
    path.rename(moved)
    with capture_logs() as logs:
        assert calendars.refresh() is False
    assert logs[0]["event"] == "calendar_file_unreadable"
    assert calendars.last_error is not None
    assert calendars.current is good
    moved.rename(path)  # the same file, the same stamp
    assert calendars.refresh() is False
    assert calendars.last_error is None
    write(path, TWO, T3)
    assert calendars.refresh() is True


def test_the_check_follows_the_file_and_the_day(path: Path) -> None:
    calendars = ReloadingCalendar(path, clock=clock)
    first = calendars.check()
    assert first.today == date(2026, 11, 10)
    assert [y.year for y in first.years] == [2026]
    assert calendars.check() is first  # cached while nothing changed
    write(path, TWO, T1)
    calendars.refresh()
    assert calendars.check() is not first
