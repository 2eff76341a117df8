"""``calendar.yaml``: what a valid file means, and every invalid file stopped at its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gateway.calendar import TBC, CalendarFile, LegalSource, load_calendar_file
from gateway.exceptions import ConfigError, SpecError

ROOT = Path(__file__).resolve().parents[3]

SOURCE = "    source: {act: Presidential decree, number: PF-1, date: 2026-11-30}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_and_what_it_holds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\n"
        "days:\n"
        "  - date: 2026-12-14\n"
        "    kind: day_off\n" + SOURCE + '    note: "extra day off"\n'
        "  - date: 2026-12-19\n"
        "    kind: working_day\n"
        "    source:\n"
        "      act: Presidential resolution\n"
        "      number: tbc\n"
        "      date: tbc\n"
        "      url: https://lex.uz/docs/-1\n"
        '  - date: "2027-03-10"\n'
        "    kind: day_off\n"
        "    moved_from: 2027-03-09\n"
        "    source: {act: Presidential resolution, number: 17, date: 2027-03-05}\n",
    )
    loaded = load_calendar_file(path)
    assert isinstance(loaded, CalendarFile)
    assert [e.day for e in loaded] == [date(2026, 12, 14), date(2026, 12, 19), date(2027, 3, 10)]
    first, second, third = loaded.entries
    assert first.source == LegalSource("Presidential decree", "PF-1", date(2026, 11, 30))
    assert first.source.confirmed
    assert first.note == "extra day off"
    assert first.line == 3
    assert not second.source.confirmed
    assert second.source.number is None
    assert second.source.signed is None
    assert "number to be confirmed" in second.source.cite()
    assert third.source.number == "17"  # a bare number is read as the act's number
    assert loaded.days_off == {date(2026, 12, 14), date(2027, 3, 10)}
    # the working Saturday, and the weekday the moved Eid left
    assert loaded.working_days == {date(2026, 12, 19), date(2027, 3, 9)}
    assert loaded.entry(date(2027, 3, 9)) is third
    assert [e.day for e in loaded.in_year(2026)] == [date(2026, 12, 14), date(2026, 12, 19)]
    assert TBC == "tbc"


def test_the_digest_follows_the_days_not_the_wording(tmp_path: Path) -> None:
    one = "version: 1\ndays:\n  - date: 2026-12-14\n    kind: day_off\n" + SOURCE
    reworded = one.replace("PF-1", "PF-2") + '    note: "reworded"\n'
    moved = one.replace("2026-12-14", "2026-12-15")
    digests = []
    for i, text in enumerate((one, reworded, moved)):
        folder = tmp_path / str(i)
        folder.mkdir()
        digests.append(load_calendar_file(write(folder, text)).digest)
    assert digests[0] == digests[1] != digests[2]


def test_the_repository_file_is_valid() -> None:
    loaded = load_calendar_file(ROOT / "calendar.yaml")
    assert loaded.in_year(2026)
    # no number is made up: every entry is either fully cited or marked to be confirmed
    for entry in loaded:
        assert entry.source.url, entry.day


ENTRY = "version: 1\ndays:\n  - date: 2026-12-14\n    kind: day_off\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param(
            ENTRY + SOURCE + "    holiday: true\n", 6, "unknown key 'holiday'", id="unknown-key"
        ),
        pytest.param(
            "version: 1\nday:\n  - date: 2026-12-14\n", 2, "unknown key 'day'", id="unknown-top"
        ),
        pytest.param(
            ENTRY.replace("2026-12-14", "2026-02-30") + SOURCE,
            3,
            "'2026-02-30' is not a valid value",
            id="date-that-does-not-exist",
        ),
        pytest.param(
            ENTRY.replace("2026-12-14", "14.12.2026") + SOURCE,
            3,
            "date must be a date YYYY-MM-DD",
            id="bad-date-format",
        ),
        pytest.param(
            ENTRY.replace("2026-12-14", "2026-12-14 10:00") + SOURCE,
            3,
            "date must be a date YYYY-MM-DD",
            id="date-with-time",
        ),
        pytest.param(
            ENTRY + SOURCE + "  - date: 2026-12-14\n    kind: working_day\n" + SOURCE,
            6,
            "2026-12-14 is already listed at line 3",
            id="both-off-and-working",
        ),
        pytest.param(ENTRY, 3, "missing key 'source'", id="missing-source"),
        pytest.param(
            ENTRY + "    source: {act: Presidential decree, date: 2026-11-30}\n",
            5,
            "the source lacks 'number'",
            id="source-without-number",
        ),
        pytest.param(
            ENTRY + "    source: {act: Presidential decree, number: tbc, date: tbc}\n",
            5,
            "needs a url",
            id="tbc-without-url",
        ),
        pytest.param(
            ENTRY + "    source: {act: '', number: PF-1, date: 2026-11-30}\n",
            5,
            "act must name the kind of act",
            id="empty-act",
        ),
        pytest.param(
            ENTRY.replace("day_off", "holiday") + SOURCE,
            4,
            "kind must be day_off or working_day",
            id="bad-kind",
        ),
        pytest.param(
            ENTRY.replace("day_off", "working_day") + "    moved_from: 2026-12-15\n" + SOURCE,
            5,
            "moved_from belongs to a day off",
            id="moved-from-on-a-working-day",
        ),
        pytest.param(
            ENTRY + "    moved_from: 2026-10-01\n" + SOURCE,
            5,
            "within a week",
            id="moved-too-far",
        ),
        pytest.param(
            ENTRY
            + "    moved_from: 2026-12-15\n"
            + SOURCE
            + "  - date: 2026-12-15\n    kind: day_off\n"
            + SOURCE,
            7,
            "2026-12-15 is already listed at line 5",
            id="moved-from-also-listed",
        ),
        pytest.param("version: 2\ndays: []\n", 1, "version must be 1", id="version"),
        pytest.param(
            ENTRY + SOURCE + "  - date: 2026-12-14\n    kind: day_off\n" + SOURCE,
            6,
            "already listed at line 3",
            id="twice",
        ),
    ],
)
def test_an_invalid_file_stops_at_its_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        load_calendar_file(path)
    error = caught.value
    assert isinstance(error, ConfigError)
    assert error.line == line, str(error)
    assert str(error).startswith(f"{path}:{line}")
    assert words in str(error)


def test_errors_say_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_calendar_file(write(tmp_path, ENTRY))
    assert "Fix: add the legal act that sets the day" in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_calendar_file(tmp_path / "nowhere.yaml")
