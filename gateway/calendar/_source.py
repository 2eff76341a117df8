"""Where the calendar's knowledge of days off comes from: the ``holidays`` package.

The package knows Uzbekistan's public holidays, the observed (moved) holidays of the Labour
Code since 30 April 2023, and the days off and working Saturdays set by presidential
decrees. This module turns one year of that data into a plain set of non-working dates, the
only shape the rest of the calendar needs.
"""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, timedelta

import holidays

__all__ = ["COUNTRY", "package_non_working_days"]

COUNTRY = "UZ"
"""ISO 3166-1 code of the country whose calendar the gateway follows."""

_ONE_DAY = timedelta(days=1)


def package_non_working_days(year: int, country: str = COUNTRY) -> frozenset[date]:
    """Every non-working date of ``year`` according to the ``holidays`` package.

    A date is non-working when it is a weekend day that no decree turned into a working day
    (the package's ``weekend_workdays``), or a weekday that is a holiday, an observed holiday
    or an additional day off. This is the package's own ``is_working_day`` rule, applied to a
    whole year at once so that later look-ups are set membership tests.

    The neighbouring years are populated too, because a decree of one year may move a day
    into the next (a working Saturday in January for a day off in December). Called once per
    year and calendar; it costs tens of milliseconds. A year the package has no data for
    (before independence, or far in the future) yields its weekends only.
    """
    years = range(max(year - 1, MINYEAR), min(year + 1, MAXYEAR) + 1)
    table = holidays.country_holidays(country, years=years)
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
