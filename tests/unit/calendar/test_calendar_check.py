"""``gateway calendar check``'s rule: estimated dates confirmed, a decree recorded, per year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gateway.calendar import check_calendar, load_calendar_file, years_to_check
from gateway.calendar.check import check_year

ROOT = Path(__file__).resolve().parents[3]
REPO_FILE = load_calendar_file(ROOT / "calendar.yaml")


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (date(2026, 1, 1), (2026,)),
        (date(2026, 11, 30), (2026,)),
        (date(2026, 12, 1), (2026, 2027)),
        (date(2026, 12, 31), (2026, 2027)),
    ],
)
def test_the_next_year_is_checked_from_1_december(today: date, years: tuple[int, ...]) -> None:
    assert years_to_check(today) == years


def test_the_repository_calendar_is_ready_for_2026() -> None:
    result = check_calendar(REPO_FILE, date(2026, 6, 1))
    assert [y.year for y in result.years] == [2026]
    assert result.ok, result.problems()
    assert result.problems() == []
    # the entries whose act number is not confirmed are reported, not hidden
    (notice,) = result.notices()
    assert "to be confirmed" in notice
    assert "2026-01-02" in notice
    assert "2026-03-20" not in notice  # PQ-106 of 17.03.2026: number and date given


def test_the_repository_calendar_says_what_2027_lacks() -> None:
    result = check_calendar(REPO_FILE, date(2026, 12, 2))
    assert not result.ok
    (y2026, y2027) = result.years
    assert y2026.ok
    assert not y2027.ok
    assert [d.day for d in y2027.unconfirmed] == [
        date(2027, 3, 9),
        date(2027, 5, 16),
        date(2027, 5, 17),
    ]
    estimated, no_decree = y2027.problems()
    assert "only estimates Eid al-Fitr (estimated) on 2027-03-09 (Tue)" in estimated
    assert "does not confirm them" in estimated
    assert "Fix:" in estimated
    assert "has no entry for 2027" in no_decree
    assert result.as_dict()["ok"] is False


def test_a_file_that_confirms_the_estimates_makes_the_year_ready(tmp_path: Path) -> None:
    source = "    source: {act: Presidential resolution, number: PQ-9, date: 2027-03-01}\n"
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "version: 1\ndays:\n"
        "  - date: 2027-03-10\n    kind: day_off\n    moved_from: 2027-03-09\n"
        + source
        + "  - date: 2027-05-16\n    kind: day_off\n"
        + source
        + "  - date: 2027-05-17\n    kind: day_off\n"
        + source,
        encoding="utf-8",
    )
    year = check_year(load_calendar_file(path), 2027)
    assert year.unconfirmed == ()
    assert year.ok
    assert year.notices() == []


def test_entries_alone_do_not_confirm_other_estimates(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "version: 1\ndays:\n  - date: 2027-01-04\n    kind: day_off\n"
        "    source: {act: Presidential decree, number: PF-3, date: 2026-12-20}\n",
        encoding="utf-8",
    )
    year = check_year(load_calendar_file(path), 2027)
    assert year.entries
    assert not year.ok
    assert len(year.problems()) == 1


def test_without_a_file_every_year_is_incomplete() -> None:
    result = check_calendar(None, date(2026, 6, 1))
    assert not result.ok
    assert "has no entry for 2026" in result.problems()[0]
