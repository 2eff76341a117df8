"""Argument and setting checks shared by the calendar's modules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from gateway.calendar.exceptions import CalendarError
from gateway.exceptions import ConfigError

__all__ = ["config_dates", "require_aware", "require_date"]


def require_aware(value: datetime, name: str) -> None:
    """Refuse anything but a timezone-aware datetime, with :class:`CalendarError`.

    A naive datetime has no defined moment; guessing its zone could move a deadline by a day.
    """
    if not isinstance(value, datetime):
        raise CalendarError(f"{name} must be a datetime, got {type(value).__name__}.", field=name)
    if value.utcoffset() is None:
        raise CalendarError(
            f"{name} is a naive datetime ({value.isoformat()}); the calendar cannot tell which "
            "moment it is.",
            field=name,
            hint="pass a timezone-aware datetime, e.g. datetime.now(UTC).",
        )


def require_date(value: date, name: str) -> None:
    """Refuse anything but a plain calendar date, with :class:`CalendarError`.

    ``datetime`` is a subclass of ``date`` and would silently compare unequal to every holiday.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarError(
            f"{name} must be a calendar date, got {type(value).__name__}.",
            field=name,
            hint="for a moment in time use calendar.to_local(moment).date().",
        )


def config_dates(values: Iterable[date], setting: str) -> frozenset[date]:
    """The dates of a configured list (extra holidays, extra working days) as a frozenset.

    Raises :class:`~gateway.exceptions.ConfigError` naming ``setting`` for anything that is not
    a plain date, so a bad list stops the process at start-up.
    """
    result: set[date] = set()
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ConfigError(
                f"{setting} must hold calendar dates, got {value!r}.",
                field=setting,
                hint="write dates as YYYY-MM-DD, without a time of day.",
            )
        result.add(value)
    return frozenset(result)
