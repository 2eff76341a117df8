"""Legal deadlines computed by hand from the Uzbek calendar, checked against the calendar.

Each case is (intake moment, expected effective receipt, expected due moment, business days).
Intake is the gateway's intake time (regulation item 16). Effective receipt follows contract
000, 10.3 (working day [09:00, 18:00) Tashkent; outside it, 09:00 of the next working day);
the due moment is 18:00 Tashkent of the N-th working day after the day of effective receipt
(items 12, 13, 18).

Days off used below, as the ``holidays`` package (0.109) lists them and as
``test_grounding`` asserts:

* 2024: Tue 31 Dec (additional day off).
* 2025: Wed 1 Jan; Thu 2 Jan (moved from Sat 4 Jan, which is a working day); Mon 10 Mar (Women's
  Day observed); Fri 21 Mar (Navruz); Mon 31 Mar (Eid al-Fitr observed, Sun 30); Fri 9 May;
  Fri 6 Jun (Eid al-Adha); Mon 1 Sep; Wed 1 Oct; Mon 8 Dec; Wed 31 Dec (additional day off).
* 2026: Thu 1 Jan; Fri 2 Jan (additional); Mon 9 Mar (Women's Day observed); Fri 20 Mar (Eid
  al-Fitr); Mon 23 Mar (Nowruz observed, Sat 21); Mon 11 May (observed, Sat 9); Wed 27 May
  (Eid al-Adha) with Thu 28 and Fri 29 (additional); Mon 31 Aug (additional); Tue 1 Sep; Thu
  1 Oct; Tue 8 Dec; Thu 31 Dec (moved from Sat 12 Dec, which is a working day).
* 2027: Fri 1 Jan (no 2027 decree is known to the package yet).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from gateway.calendar import BusinessCalendar, default_calendar


def at(text: str) -> datetime:
    """An aware datetime from ISO text; Tashkent (+05:00) unless the text says otherwise."""
    if text.endswith("Z") or "+" in text[10:] or "-" in text[10:]:
        return datetime.fromisoformat(text)
    return datetime.fromisoformat(text + "+05:00")


# (intake, effective receipt, due, business days)
CASES: list[tuple[str, str, str, int]] = [
    # --- ordinary weekdays -----------------------------------------------------------------
    # Tue 10 Jun 2025 10:00, in hours; next working day Wed 11.
    ("2025-06-10T10:00", "2025-06-10T10:00", "2025-06-11T18:00", 1),
    # exactly 09:00 is inside the working day.
    ("2025-06-10T09:00", "2025-06-10T09:00", "2025-06-11T18:00", 1),
    # the last microsecond before 18:00 is still inside.
    ("2025-06-10T17:59:59.999999", "2025-06-10T17:59:59.999999", "2025-06-11T18:00", 1),
    # exactly 18:00 is after hours -> received Wed 11 09:00 -> due Thu 12.
    ("2025-06-10T18:00", "2025-06-11T09:00", "2025-06-12T18:00", 1),
    # 07:00 before hours on a working day -> 09:00 the same day -> due Wed 11.
    ("2025-06-10T07:00", "2025-06-10T09:00", "2025-06-11T18:00", 1),
    # midnight is before hours too.
    ("2025-06-10T00:00", "2025-06-10T09:00", "2025-06-11T18:00", 1),
    # one microsecond before 09:00.
    ("2025-06-10T08:59:59.999999", "2025-06-10T09:00", "2025-06-11T18:00", 1),
    # 23:59 after hours -> Wed 11 09:00 -> due Thu 12.
    ("2025-06-10T23:59", "2025-06-11T09:00", "2025-06-12T18:00", 1),
    # --- Fridays and weekends --------------------------------------------------------------
    # Fri 13 Jun 2025 in hours; Sat/Sun off -> due Mon 16.
    ("2025-06-13T11:00", "2025-06-13T11:00", "2025-06-16T18:00", 1),
    # Fri 18:30 after hours -> received Mon 16 09:00 -> due Tue 17.
    ("2025-06-13T18:30", "2025-06-16T09:00", "2025-06-17T18:00", 1),
    # Sat 14 Jun 2025 noon -> Mon 16 09:00 -> due Tue 17.
    ("2025-06-14T12:00", "2025-06-16T09:00", "2025-06-17T18:00", 1),
    # Sun 15 Jun 2025 08:00 -> Mon 16 09:00 -> due Tue 17.
    ("2025-06-15T08:00", "2025-06-16T09:00", "2025-06-17T18:00", 1),
    # --- holidays 2025 ---------------------------------------------------------------------
    # Thu 5 Jun 2025; Fri 6 Eid al-Adha, Sat/Sun -> due Mon 9.
    ("2025-06-05T10:00", "2025-06-05T10:00", "2025-06-09T18:00", 1),
    # Fri 6 Jun 2025 is Eid al-Adha -> received Mon 9 09:00 -> due Tue 10.
    ("2025-06-06T10:00", "2025-06-09T09:00", "2025-06-10T18:00", 1),
    # Thu 20 Mar 2025; Fri 21 Navruz, Sat/Sun -> due Mon 24.
    ("2025-03-20T15:00", "2025-03-20T15:00", "2025-03-24T18:00", 1),
    # Fri 21 Mar 2025 Navruz; Sat/Sun; next working Mon 24 -> due Tue 25.
    ("2025-03-21T10:00", "2025-03-24T09:00", "2025-03-25T18:00", 1),
    # Fri 28 Mar 2025; Sat 29, Sun 30 Eid al-Fitr, Mon 31 observed -> due Tue 1 Apr.
    ("2025-03-28T12:00", "2025-03-28T12:00", "2025-04-01T18:00", 1),
    # Fri 7 Mar 2025; Sat 8 Women's Day, Sun, Mon 10 observed -> due Tue 11.
    ("2025-03-07T12:00", "2025-03-07T12:00", "2025-03-11T18:00", 1),
    # Thu 8 May 2025; Fri 9 Day of Memory and Honor, Sat/Sun -> due Mon 12.
    ("2025-05-08T10:00", "2025-05-08T10:00", "2025-05-12T18:00", 1),
    # Fri 29 Aug 2025; Sat/Sun, Mon 1 Sep Independence Day -> due Tue 2 Sep.
    ("2025-08-29T12:00", "2025-08-29T12:00", "2025-09-02T18:00", 1),
    # Mon 1 Sep 2025 Independence Day -> received Tue 2 09:00 -> due Wed 3.
    ("2025-09-01T10:00", "2025-09-02T09:00", "2025-09-03T18:00", 1),
    # Tue 30 Sep 2025; Wed 1 Oct Teachers' Day -> due Thu 2 Oct.
    ("2025-09-30T10:00", "2025-09-30T10:00", "2025-10-02T18:00", 1),
    # Fri 5 Dec 2025; Sat/Sun, Mon 8 Constitution Day -> due Tue 9.
    ("2025-12-05T10:00", "2025-12-05T10:00", "2025-12-09T18:00", 1),
    # Mon 8 Dec 2025 08:00, Constitution Day -> received Tue 9 09:00 -> due Wed 10.
    ("2025-12-08T08:00", "2025-12-09T09:00", "2025-12-10T18:00", 1),
    # --- year end 2025 / new year 2026 -----------------------------------------------------
    # Tue 30 Dec 2025; Wed 31 off, Thu 1 + Fri 2 Jan off, Sat/Sun -> due Mon 5 Jan 2026.
    ("2025-12-30T10:00", "2025-12-30T10:00", "2026-01-05T18:00", 1),
    # Tue 30 Dec 2025 18:00 after hours -> received Mon 5 Jan 09:00 -> due Tue 6 Jan.
    ("2025-12-30T18:00", "2026-01-05T09:00", "2026-01-06T18:00", 1),
    # Wed 31 Dec 2025 additional day off -> Mon 5 Jan 09:00 -> due Tue 6.
    ("2025-12-31T12:00", "2026-01-05T09:00", "2026-01-06T18:00", 1),
    # Thu 1 Jan 2026 New Year -> Mon 5 Jan 09:00 -> due Tue 6.
    ("2026-01-01T12:00", "2026-01-05T09:00", "2026-01-06T18:00", 1),
    # Fri 2 Jan 2026 additional day off, even at 17:00 -> Mon 5 09:00 -> due Tue 6.
    ("2026-01-02T17:00", "2026-01-05T09:00", "2026-01-06T18:00", 1),
    # --- transferred working days ----------------------------------------------------------
    # Tue 31 Dec 2024 off; Wed 1 Jan, Thu 2 Jan off -> received Fri 3 09:00;
    # next working day is Sat 4 Jan 2025 (working Saturday) -> due Sat 4 18:00.
    ("2024-12-31T12:00", "2025-01-03T09:00", "2025-01-04T18:00", 1),
    # Thu 2 Jan 2025 is a day off (moved from Sat 4) -> Fri 3 09:00 -> due Sat 4.
    ("2025-01-02T10:00", "2025-01-03T09:00", "2025-01-04T18:00", 1),
    # Fri 3 Jan 2025 in hours -> due the working Saturday 4 Jan.
    ("2025-01-03T10:00", "2025-01-03T10:00", "2025-01-04T18:00", 1),
    # Sat 4 Jan 2025 is a working day: received then; Sun off -> due Mon 6.
    ("2025-01-04T10:00", "2025-01-04T10:00", "2025-01-06T18:00", 1),
    # Sat 4 Jan 2025 19:00 after hours -> Mon 6 09:00 -> due Tue 7.
    ("2025-01-04T19:00", "2025-01-06T09:00", "2025-01-07T18:00", 1),
    # Fri 11 Dec 2026 -> next working day is Sat 12 Dec (working Saturday).
    ("2026-12-11T10:00", "2026-12-11T10:00", "2026-12-12T18:00", 1),
    # Sat 12 Dec 2026 08:00 is before hours on a working day -> 09:00 that Saturday -> Mon 14.
    ("2026-12-12T08:00", "2026-12-12T09:00", "2026-12-14T18:00", 1),
    # Sun 13 Dec 2026 is an ordinary Sunday -> Mon 14 09:00 -> due Tue 15.
    ("2026-12-13T10:00", "2026-12-14T09:00", "2026-12-15T18:00", 1),
    # --- year end 2026 / 2027 --------------------------------------------------------------
    # Wed 30 Dec 2026; Thu 31 off (moved from Sat 12), Fri 1 Jan 2027, Sat/Sun -> Mon 4 Jan.
    ("2026-12-30T10:00", "2026-12-30T10:00", "2027-01-04T18:00", 1),
    # Wed 30 Dec 2026 18:00 after hours -> Mon 4 Jan 2027 09:00 -> due Tue 5.
    ("2026-12-30T18:00", "2027-01-04T09:00", "2027-01-05T18:00", 1),
    # Thu 31 Dec 2026 day off -> Mon 4 Jan 2027 09:00 -> due Tue 5.
    ("2026-12-31T10:00", "2027-01-04T09:00", "2027-01-05T18:00", 1),
    # --- holidays 2026 ---------------------------------------------------------------------
    # Fri 6 Mar 2026; Sat, Sun 8 Women's Day, Mon 9 observed -> due Tue 10.
    ("2026-03-06T12:00", "2026-03-06T12:00", "2026-03-10T18:00", 1),
    # Thu 19 Mar 2026; Fri 20 Eid al-Fitr, Sat 21 Nowruz, Sun, Mon 23 observed -> Tue 24.
    ("2026-03-19T10:00", "2026-03-19T10:00", "2026-03-24T18:00", 1),
    # Mon 23 Mar 2026 Nowruz observed -> received Tue 24 09:00 -> due Wed 25.
    ("2026-03-23T10:00", "2026-03-24T09:00", "2026-03-25T18:00", 1),
    # Fri 8 May 2026; Sat 9 Memory Day, Sun, Mon 11 observed -> due Tue 12.
    ("2026-05-08T12:00", "2026-05-08T12:00", "2026-05-12T18:00", 1),
    # Tue 26 May 2026; Wed 27 Eid al-Adha, Thu 28 + Fri 29 additional, Sat/Sun -> Mon 1 Jun.
    ("2026-05-26T10:00", "2026-05-26T10:00", "2026-06-01T18:00", 1),
    # Thu 28 May 2026 additional day off -> Mon 1 Jun 09:00 -> due Tue 2 Jun.
    ("2026-05-28T10:00", "2026-06-01T09:00", "2026-06-02T18:00", 1),
    # Fri 28 Aug 2026; Sat/Sun, Mon 31 additional, Tue 1 Sep Independence -> Wed 2 Sep.
    ("2026-08-28T10:00", "2026-08-28T10:00", "2026-09-02T18:00", 1),
    # Tue 1 Sep 2026 Independence Day -> Wed 2 09:00 -> due Thu 3.
    ("2026-09-01T10:00", "2026-09-02T09:00", "2026-09-03T18:00", 1),
    # --- intake in UTC and other offsets ---------------------------------------------------
    # 04:30Z is 09:30 Tashkent, Tue 10 Jun 2025 -> due Wed 11.
    ("2025-06-10T04:30Z", "2025-06-10T09:30", "2025-06-11T18:00", 1),
    # 03:59Z is 08:59 Tashkent, before hours -> 09:00 -> due Wed 11.
    ("2025-06-10T03:59Z", "2025-06-10T09:00", "2025-06-11T18:00", 1),
    # 13:00Z is exactly 18:00 Tashkent -> after hours -> Wed 11 09:00 -> due Thu 12.
    ("2025-06-10T13:00Z", "2025-06-11T09:00", "2025-06-12T18:00", 1),
    # Fri 13 Jun 19:30Z is Sat 14 00:30 Tashkent -> Mon 16 09:00 -> due Tue 17.
    ("2025-06-13T19:30Z", "2025-06-16T09:00", "2025-06-17T18:00", 1),
    # 16:30+03:00 (Moscow) is 18:30 Tashkent, Tue 10 -> Wed 11 09:00 -> due Thu 12.
    ("2025-06-10T16:30+03:00", "2025-06-11T09:00", "2025-06-12T18:00", 1),
    # Thu 12 Jun 23:00-05:00 is Fri 13 09:00 Tashkent -> in hours -> due Mon 16.
    ("2025-06-12T23:00-05:00", "2025-06-13T09:00", "2025-06-16T18:00", 1),
    # Mon 16 Jun 08:00+09:00 (Tokyo) is Mon 16 04:00 Tashkent -> 09:00 -> due Tue 17.
    ("2025-06-16T08:00+09:00", "2025-06-16T09:00", "2025-06-17T18:00", 1),
    # --- longer terms ----------------------------------------------------------------------
    # Tue 10 Jun 2025, 2 days: Wed 11, Thu 12.
    ("2025-06-10T10:00", "2025-06-10T10:00", "2025-06-12T18:00", 2),
    # Thu 12 Jun 2025, 2 days: Fri 13, (Sat/Sun) Mon 16.
    ("2025-06-12T10:00", "2025-06-12T10:00", "2025-06-16T18:00", 2),
    # Thu 20 Mar 2025, 3 days: (Fri 21 Navruz, Sat/Sun) Mon 24, Tue 25, Wed 26.
    ("2025-03-20T10:00", "2025-03-20T10:00", "2025-03-26T18:00", 3),
    # Tue 26 May 2026, 3 days: (27-31 off) Mon 1, Tue 2, Wed 3 Jun.
    ("2026-05-26T10:00", "2026-05-26T10:00", "2026-06-03T18:00", 3),
    # Fri 11 Dec 2026, 2 days: Sat 12 (working), (Sun) Mon 14.
    ("2026-12-11T12:00", "2026-12-11T12:00", "2026-12-14T18:00", 2),
    # Tue 30 Dec 2025, 3 days: (31 Dec-4 Jan off) Mon 5, Tue 6, Wed 7 Jan 2026.
    ("2025-12-30T12:00", "2025-12-30T12:00", "2026-01-07T18:00", 3),
    # Wed 30 Dec 2026, 2 days: (31 Dec-3 Jan off) Mon 4, Tue 5 Jan 2027.
    ("2026-12-30T10:00", "2026-12-30T10:00", "2027-01-05T18:00", 2),
    # Sat 14 Jun 2025, 2 days: received Mon 16 09:00; Tue 17, Wed 18.
    ("2025-06-14T12:00", "2025-06-16T09:00", "2025-06-18T18:00", 2),
]


def _case_id(case: tuple[str, str, str, int]) -> str:
    return f"{case[0]}+{case[3]}d"


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_deadline_table(case: tuple[str, str, str, int]) -> None:
    intake, receipt, due, days = case
    calendar = default_calendar()
    received = calendar.effective_receipt(at(intake))
    deadline = calendar.due_date(at(intake), days)

    assert received == at(receipt)
    assert deadline == at(due)
    # results are stated in Tashkent time
    assert received.utcoffset() == at(receipt).utcoffset()
    assert deadline.tzinfo == calendar.tz


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 2), False),  # moved from Sat 4 Jan
        (date(2025, 1, 4), True),  # working Saturday
        (date(2025, 3, 21), False),  # Navruz
        (date(2025, 9, 1), False),  # Independence Day
        (date(2025, 12, 8), False),  # Constitution Day
        (date(2025, 12, 31), False),  # additional day off
        (date(2026, 1, 1), False),
        (date(2026, 1, 2), False),
        (date(2026, 3, 20), False),  # Eid al-Fitr
        (date(2026, 3, 23), False),  # Nowruz observed
        (date(2026, 5, 27), False),  # Eid al-Adha
        (date(2026, 5, 28), False),  # additional
        (date(2026, 5, 29), False),  # additional
        (date(2026, 8, 31), False),  # additional
        (date(2026, 9, 1), False),  # Independence Day
        (date(2026, 12, 12), True),  # working Saturday
        (date(2026, 12, 13), False),  # ordinary Sunday
        (date(2026, 12, 31), False),  # moved from Sat 12 Dec
        (date(2027, 1, 1), False),  # New Year
        (date(2027, 1, 4), True),  # Monday
        (date(2025, 6, 10), True),  # ordinary Tuesday
    ],
)
def test_grounding(day: date, working: bool) -> None:
    """The package data the table relies on; if an update changes it, the table needs review."""
    assert default_calendar().is_working_day(day) is working


def test_grounding_2025_days_off_on_weekdays() -> None:
    weekdays_off = sorted(
        day for day in default_calendar().non_working_days(2025) if day.weekday() < 5
    )
    assert weekdays_off == [
        date(2025, 1, 1),
        date(2025, 1, 2),
        date(2025, 3, 10),
        date(2025, 3, 21),
        date(2025, 3, 31),
        date(2025, 5, 9),
        date(2025, 6, 6),
        date(2025, 9, 1),
        date(2025, 10, 1),
        date(2025, 12, 8),
        date(2025, 12, 31),
    ]


def test_a_fresh_calendar_agrees_with_the_default() -> None:
    fresh = BusinessCalendar()
    for intake, _, due, days in CASES[:10]:
        assert fresh.due_date(at(intake), days) == at(due)
