"""Where the calendar's knowledge of days off comes from: the ``holidays`` package.

The package knows Uzbekistan's public holidays, the observed (moved) holidays of the Labour
Code since 30 April 2023, and the days off and working Saturdays set by presidential
decrees that were known when it was released. The Eid dates of years not yet confirmed are
astronomical *estimates*. This module turns one year of that data into a plain set of
non-working dates (the only shape the deadline arithmetic needs) and, for operators, into
named days with their estimated flag (:func:`package_days`).

Both are pure functions of the installed package and the year, so they are cached for the
life of the process: a reloaded calendar file never makes the package compute a year twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache

import holidays

__all__ = ["COUNTRY", "PackageDay", "package_days", "package_non_working_days", "package_version"]

COUNTRY = "UZ"
"""ISO 3166-1 code of the country whose calendar the gateway follows."""

_ONE_DAY = timedelta(days=1)
_NAMES_LANGUAGE = "en_US"


def package_version() -> str:
    """The installed ``holidays`` package's version, named wherever its data is shown."""
    return str(getattr(holidays, "__version__", "unknown"))


def _years(year: int) -> range:
    return range(max(year - 1, MINYEAR), min(year + 1, MAXYEAR) + 1)


@cache
def package_non_working_days(year: int, country: str = COUNTRY) -> frozenset[date]:
    """Every non-working date of ``year`` according to the ``holidays`` package.

    A date is non-working when it is a weekend day that no decree turned into a working day
    (the package's ``weekend_workdays``), or a weekday that is a holiday, an observed holiday
    or an additional day off. This is the package's own ``is_working_day`` rule, applied to a
    whole year at once so that later look-ups are set membership tests.

    The neighbouring years are populated too, because a decree of one year may move a day
    into the next (a working Saturday in January for a day off in December). Computed once
    per process and year (tens of milliseconds). A year the package has no data for (before
    independence, or far in the future) yields its weekends only.
    """
    table = holidays.country_holidays(country, years=_years(year))
    weekend = frozenset(int(day) for day in table.weekend)
    weekend_workdays = frozenset(table.weekend_workdays)
    holiday_dates = frozenset(day for day in table if day.year == year)

    result: set[date] = set()
    day = date(year, 1, 1)
    last = date(year, 12, 31)
    while True:
        if day.weekday() in weekend:
            if day not in weekend_workdays:
                result.add(day)
        elif day in holiday_dates:
            result.add(day)
        if day == last:
            break
        day += _ONE_DAY
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class PackageDay:
    """One day the package names in a year: a holiday or day off, or a working weekend day.

    ``estimated`` marks an Islamic holiday whose date the package only computed (the decree
    that fixes it was not known at its release); ``working`` is True only for the weekend days
    a decree turned into working days.
    """

    day: date
    name: str
    estimated: bool = False
    working: bool = False


@cache
def package_days(year: int, country: str = COUNTRY) -> tuple[PackageDay, ...]:
    """The named days of ``year`` in the package, in date order (English names).

    An estimated date is told from a confirmed one by asking the package twice, with and
    without its "estimated" label, so no label text is parsed. Cached like
    :func:`package_non_working_days`.
    """
    years = _years(year)
    shown = holidays.country_holidays(country, years=years, language=_NAMES_LANGUAGE)
    plain = holidays.country_holidays(
        country, years=years, language=_NAMES_LANGUAGE, islamic_show_estimated=False
    )
    out = [
        PackageDay(day, "; ".join(shown.get_list(day)), estimated=shown[day] != plain[day])
        for day in shown
        if day.year == year
    ]
    out += [
        PackageDay(day, "working day (a decree moved its day off)", working=True)
        for day in shown.weekend_workdays
        if day.year == year
    ]
    return tuple(sorted(out, key=lambda d: d.day))
