"""Is the calendar ready for the year? The rule behind ``gateway calendar check``, the metric
``gateway_calendar_incomplete`` and the dashboard's warning.

A year is *incomplete* when the ``holidays`` package only estimates some of its dates (the
Eids, until the decree fixes them) and the calendar file does not confirm them, or when the
file has no entry at all for the year (the yearly decree that moves days off is not
recorded). The current year must be complete; from 1 December on, the next one too, because
the decree for it is published in December and deadlines of late December already reach
into January.

Sources the file marks ``tbc`` (number or date to be confirmed) do not make a year
incomplete, but are listed as notices until someone checks them against the act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from gateway.calendar._source import PackageDay, package_days
from gateway.calendar.entries import CalendarEntry, CalendarFile

__all__ = ["CalendarCheck", "YearCheck", "check_calendar", "check_year", "years_to_check"]

NEXT_YEAR_FROM_MONTH = 12
"""From this month on the next year is checked too (1 December)."""


def years_to_check(today: date) -> tuple[int, ...]:
    """The current year, and from 1 December on the next one."""
    if today.month >= NEXT_YEAR_FROM_MONTH:
        return (today.year, today.year + 1)
    return (today.year,)


@dataclass(frozen=True, slots=True)
class YearCheck:
    """What one year of the calendar lacks."""

    year: int
    entries: tuple[CalendarEntry, ...]
    unconfirmed: tuple[PackageDay, ...]

    @property
    def ok(self) -> bool:
        return bool(self.entries) and not self.unconfirmed

    @property
    def to_be_confirmed(self) -> tuple[CalendarEntry, ...]:
        """Entries whose act's number or date the file marks ``tbc``."""
        return tuple(e for e in self.entries if not e.source.confirmed)

    def problems(self, file_name: str = "calendar.yaml") -> list[str]:
        """Sentences for operators: what is missing and how to fix it; empty when ``ok``."""
        out = []
        if self.unconfirmed:
            days = ", ".join(
                f"{d.name} on {d.day.isoformat()} ({d.day.strftime('%a')})"
                for d in self.unconfirmed
            )
            out.append(
                f"{self.year}: the holidays package only estimates {days}, and {file_name} "
                f"does not confirm {'it' if len(self.unconfirmed) == 1 else 'them'}. Fix: once "
                "the decree fixes the date, add it to "
                f"{file_name} (kind: day_off with its source, or moved_from: "
                f"{self.unconfirmed[0].day.isoformat()} on the date it moved to)."
            )
        if not self.entries:
            out.append(
                f"{self.year}: {file_name} has no entry for {self.year}, so no decree on the "
                f"days off of {self.year} is recorded. Fix: add the decree's days off and "
                "working days, each with its act, number and date."
            )
        return out

    def notices(self) -> list[str]:
        """Entries whose source is still to be confirmed (they count, but say so)."""
        pending = self.to_be_confirmed
        if not pending:
            return []
        days = ", ".join(e.day.isoformat() for e in pending)
        return [
            f"{self.year}: {len(pending)} entr{'y' if len(pending) == 1 else 'ies'} cite an act "
            f"whose number or date is to be confirmed ({days}); check them against the act "
            "and replace `tbc`."
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "ok": self.ok,
            "entries": len(self.entries),
            "unconfirmed_estimates": [
                {"date": d.day.isoformat(), "name": d.name} for d in self.unconfirmed
            ],
            "to_be_confirmed": [e.day.isoformat() for e in self.to_be_confirmed],
            "problems": self.problems(),
            "notices": self.notices(),
        }


@dataclass(frozen=True, slots=True)
class CalendarCheck:
    """The check of every year that must be ready on ``today``."""

    today: date
    years: tuple[YearCheck, ...]

    @property
    def ok(self) -> bool:
        return all(y.ok for y in self.years)

    def problems(self, file_name: str = "calendar.yaml") -> list[str]:
        return [p for y in self.years for p in y.problems(file_name)]

    def notices(self) -> list[str]:
        return [n for y in self.years for n in y.notices()]

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "ok": self.ok,
            "years": [y.as_dict() for y in self.years],
        }


def check_year(file: CalendarFile | None, year: int) -> YearCheck:
    """What ``year`` lacks in ``file`` (None: no file at all)."""
    entries = file.in_year(year) if file is not None else ()
    unconfirmed = tuple(
        d for d in package_days(year) if d.estimated and (file is None or file.entry(d.day) is None)
    )
    return YearCheck(year, entries, unconfirmed)


def check_calendar(
    file: CalendarFile | None, today: date, years: Iterable[int] | None = None
) -> CalendarCheck:
    """Check the years that must be ready on ``today`` (or the ``years`` given)."""
    chosen = tuple(years) if years is not None else years_to_check(today)
    return CalendarCheck(today, tuple(check_year(file, y) for y in chosen))
