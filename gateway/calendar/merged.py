"""The calendar in force: the ``holidays`` package's data with the calendar file on top.

The file wins: a date it declares a day off is never worked, a date it declares a working day
is always worked, whatever the package says. Everything else is the package's. This module
builds that :class:`BusinessCalendar`, says which days two calendars disagree on (the reason
of a changed deadline), and lays a year out for operators, each day with where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from gateway.calendar._source import PackageDay, package_days
from gateway.calendar.business import DEFAULT_TZ, BusinessCalendar
from gateway.calendar.entries import CalendarEntry, CalendarFile, LegalSource

__all__ = ["DayInfo", "Origin", "YearView", "build_calendar", "changed_days", "describe_year"]

Origin = Literal["package", "package_estimated", "file"]
_ONE_DAY = timedelta(days=1)


def build_calendar(file: CalendarFile | None, *, tz: str = DEFAULT_TZ) -> BusinessCalendar:
    """The business calendar of ``file`` over the package's data (the package alone for None).

    The file's validation already guarantees that no date is both a day off and a working
    day, so this never raises for a loaded file.
    """
    if file is None:
        return BusinessCalendar(tz)
    return BusinessCalendar(tz, extra_holidays=file.days_off, extra_workdays=file.working_days)


def changed_days(
    old: BusinessCalendar, new: BusinessCalendar, first: date, last: date
) -> list[date]:
    """The dates of ``[first, last]`` that are working days in one calendar and not the other.

    Called for the span of one case's term (a few days), so a day-by-day walk is fine.
    """
    out = []
    day = first
    while day <= last:
        if old.is_working_day(day) != new.is_working_day(day):
            out.append(day)
        day += _ONE_DAY
    return out


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One listed day of a year: whether it is worked, what it is, and where that comes from.

    ``package`` is what the package says about the day when the file overrides or confirms it.
    """

    day: date
    working: bool
    origin: Origin
    name: str
    source: LegalSource | None = None
    note: str | None = None
    package: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "weekday": self.day.strftime("%a"),
            "working": self.working,
            "origin": self.origin,
            "name": self.name,
            "source": None
            if self.source is None
            else {
                "act": self.source.act,
                "number": self.source.number,
                "date": self.source.signed.isoformat() if self.source.signed else None,
                "url": self.source.url,
                "confirmed": self.source.confirmed,
            },
            "note": self.note,
            "package": self.package,
        }


@dataclass(frozen=True, slots=True)
class YearView:
    """A year as ``gateway calendar show`` prints it."""

    year: int
    days: tuple[DayInfo, ...]
    weekend_days_off: int  # plain Saturdays and Sundays, not listed one by one
    working_days: int

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "days": [d.as_dict() for d in self.days],
            "weekend_days_off": self.weekend_days_off,
            "working_days": self.working_days,
        }


def _file_day(day: date, entry: CalendarEntry, pkg: PackageDay | None, working: bool) -> DayInfo:
    if entry.moved_from == day:
        holiday = pkg.name if pkg else "the holiday"
        name = f"{holiday} moved to {entry.day.isoformat()}"
    else:
        name = pkg.name if pkg else ("working day" if working else "day off")
    return DayInfo(
        day,
        working,
        "file",
        name,
        source=entry.source,
        note=entry.note,
        package=pkg.name if pkg else None,
    )


def describe_year(file: CalendarFile | None, year: int) -> YearView:
    """Every holiday and day off of ``year`` and every working weekend day, with its origin.

    Plain weekends are only counted. Weekend holidays are listed (they move a day off to the
    next working day under the Labour Code, which the package applies).
    """
    calendar = build_calendar(file)
    named = {d.day: d for d in package_days(year)}
    days: list[DayInfo] = []
    weekend_off = 0
    day = date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working_day(day)
        entry = file.entry(day) if file is not None else None
        pkg = named.get(day)
        if entry is not None:
            days.append(_file_day(day, entry, pkg, working))
        elif pkg is not None:
            origin: Origin = "package_estimated" if pkg.estimated else "package"
            days.append(DayInfo(day, working, origin, pkg.name))
        elif day.weekday() >= 5:  # Uzbekistan's weekend: Saturday and Sunday
            if working:
                days.append(DayInfo(day, True, "package", "working day"))
            else:
                weekend_off += 1
        day += _ONE_DAY
    total = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return YearView(
        year,
        tuple(days),
        weekend_days_off=weekend_off,
        working_days=total - len(calendar.non_working_days(year)),
    )
