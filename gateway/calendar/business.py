"""The business-day calendar: working days, effective receipt, legal deadlines, working hours.

Every legal term of the product runs on this one calendar:

* contract 000, section 10.3 — the working day is 09:00-18:00 Tashkent time; a request that
  arrives outside it counts as received at 09:00 on the next working day;
* regulation 003, item 16 — the day a request enters the system is the day it was received
  (the gateway's intake time, never the sender's clock);
* items 12, 13 and 18 — the answer (or the reasoned refusal) is due within one business day
  *after* that day, that is by the end of working hours of the next working day.

The working day is the half-open interval ``[work_start, work_end)``: 18:00:00 exactly is
already after hours. Times of day are wall-clock times in the calendar's zone; Tashkent has
no daylight-saving time, so wall-clock and elapsed time agree.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.calendar._checks import config_dates, require_aware, require_date
from gateway.calendar._source import package_non_working_days
from gateway.calendar.exceptions import CalendarError
from gateway.exceptions import ConfigError

__all__ = ["DEFAULT_TZ", "BusinessCalendar", "default_calendar"]

DEFAULT_TZ = "Asia/Tashkent"
"""The zone of every legal deadline (contract 000, section 10.3)."""

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_MAX_SEARCH_DAYS = 366
"""No real calendar has a year without a working day; a longer search is a configuration bug."""


@dataclass(frozen=True, slots=True)
class _Year:
    """The non-working dates of one year, as a set for membership and sorted for counting."""

    days: frozenset[date]
    ordered: tuple[date, ...]


class BusinessCalendar:
    """Working days and hours of the Uzbek civil service, with the deadline rules on top.

    Holidays, observed holidays, presidential additional days off and working Saturdays come
    from the ``holidays`` package; ``extra_holidays`` and ``extra_workdays`` cover decrees the
    installed package does not know yet (an extra working day wins over anything the package
    says). Years are loaded on first use and cached, so the per-message calls are set look-ups.
    Instances are immutable after construction and safe to share between threads.

    Raises :class:`~gateway.exceptions.ConfigError` at construction for an unknown time zone, a
    working day that does not end after it starts, or a date listed both as an extra holiday
    and an extra working day.
    """

    __slots__ = (
        "_day_length",
        "_extra_holidays",
        "_extra_workdays",
        "_lock",
        "_tz",
        "_work_end",
        "_work_start",
        "_years",
    )

    def __init__(
        self,
        tz: str = DEFAULT_TZ,
        work_start: time = time(9),
        work_end: time = time(18),
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        try:
            self._tz = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"unknown time zone {tz!r}.",
                field="tz",
                hint="use an IANA zone name such as 'Asia/Tashkent' (install tzdata if the "
                "system has no zone database).",
            ) from exc
        for name, value in (("work_start", work_start), ("work_end", work_end)):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ConfigError(
                    f"{name} must be a time of day without a zone, got {value!r}.",
                    field=name,
                    hint="the zone is the calendar's tz setting.",
                )
        if work_start >= work_end:
            raise ConfigError(
                f"the working day must end after it starts ({work_start} >= {work_end}).",
                field="work_end",
            )
        self._work_start = work_start
        self._work_end = work_end
        self._day_length = self._at_naive(date.min, work_end) - self._at_naive(date.min, work_start)
        self._extra_holidays = config_dates(extra_holidays, "extra_holidays")
        self._extra_workdays = config_dates(extra_workdays, "extra_workdays")
        both = self._extra_holidays & self._extra_workdays
        if both:
            listed = ", ".join(sorted(day.isoformat() for day in both))
            raise ConfigError(
                f"dates listed both as extra holidays and extra working days: {listed}.",
                field="extra_workdays",
            )
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self._tz.key!r}, work_start={self._work_start!r}, "
            f"work_end={self._work_end!r}, extra_holidays={len(self._extra_holidays)}, "
            f"extra_workdays={len(self._extra_workdays)})"
        )

    @property
    def tz(self) -> ZoneInfo:
        """The zone in which working days and hours are counted."""
        return self._tz

    @property
    def work_start(self) -> time:
        """Start of the working day (inclusive), wall-clock time in :attr:`tz`."""
        return self._work_start

    @property
    def work_end(self) -> time:
        """End of the working day (exclusive), wall-clock time in :attr:`tz`."""
        return self._work_end

    @property
    def working_day_length(self) -> timedelta:
        """How long one working day is (9 hours by default)."""
        return self._day_length

    # -- days ----------------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                days = package_non_working_days(year)
                days |= {day for day in self._extra_holidays if day.year == year}
                days -= self._extra_workdays
                cached = _Year(days=frozenset(days), ordered=tuple(sorted(days)))
                self._years[year] = cached
        return cached

    def non_working_days(self, year: int) -> frozenset[date]:
        """Every non-working date of ``year``: weekends, holidays and days off, as configured.

        Used to show operators the calendar the gateway applies, and by tests to ground
        expected deadlines in the data.
        """
        return self._year(year).days

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (a working Saturday counts; a holiday does not).

        Raises :class:`CalendarError` for a ``datetime``: which calendar day a moment falls on
        depends on the zone, so convert with :meth:`to_local` first.
        """
        require_date(day, "day")
        return day not in self._year(day.year).days

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``.

        Raises :class:`CalendarError` for a ``datetime`` (see :meth:`is_working_day`) and when
        no working day follows within a year, which only a broken configuration can cause.
        """
        require_date(day, "day")
        candidate = day
        for _ in range(_MAX_SEARCH_DAYS):
            candidate += _ONE_DAY
            if candidate not in self._year(candidate.year).days:
                return candidate
        raise CalendarError(
            f"no working day within {_MAX_SEARCH_DAYS} days after {day.isoformat()}.",
            field="extra_holidays",
            hint="check the calendar's extra holidays.",
        )

    def working_days_in(self, first: date, last: date) -> int:
        """How many working days lie in the closed range ``[first, last]`` (0 if it is empty).

        Counts with the per-year sorted tables, so a span of years costs one binary search per
        year, not one step per day.
        """
        require_date(first, "first")
        require_date(last, "last")
        if first > last:
            return 0
        off = 0
        for year in range(first.year, last.year + 1):
            ordered = self._year(year).ordered
            off += bisect_right(ordered, last) - bisect_left(ordered, first)
        return (last - first).days + 1 - off

    # -- moments -------------------------------------------------------------------------------

    def to_local(self, at: datetime) -> datetime:
        """``at`` as an aware datetime in the calendar's zone; the same moment.

        Raises :class:`CalendarError` for a naive datetime: guessing its zone could move a
        legal deadline by a day.
        """
        require_aware(at, "at")
        return at.astimezone(self._tz)

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self._tz)

    @staticmethod
    def _at_naive(day: date, moment: time) -> datetime:
        return datetime.combine(day, moment)  # wall-clock arithmetic, see the module docstring

    def effective_receipt(self, at: datetime) -> datetime:
        """When a request that reached the gateway at ``at`` legally counts as received.

        Contract 000, section 10.3: inside working hours of a working day it is ``at`` itself;
        before 09:00 on a working day it is 09:00 that day; at or after 18:00, or on a day off,
        it is 09:00 on the next working day. The result is in the calendar's zone and never
        earlier than ``at``. Raises :class:`CalendarError` for a naive datetime.
        """
        local = self.to_local(at)
        day = local.date()
        if self.is_working_day(day):
            moment = local.time()
            if moment < self._work_start:
                return self._at(day, self._work_start)
            if moment < self._work_end:
                return local
        return self._at(self.next_working_day(day), self._work_start)

    def due_date(self, received_at: datetime, business_days: int = 1) -> datetime:
        """The legal deadline of a request taken in at ``received_at``.

        Regulation 003, items 12, 13, 16 and 18: the term runs from the day of (effective)
        receipt, and ends at the end of working hours (18:00) of the ``business_days``-th
        working day *after* that day. Returned in the calendar's zone. Raises
        :class:`CalendarError` for a naive datetime or a count below one.
        """
        if isinstance(business_days, bool) or not isinstance(business_days, int):
            raise CalendarError(
                f"business_days must be an integer, got {business_days!r}.", field="business_days"
            )
        if business_days < 1:
            raise CalendarError(
                f"business_days must be at least 1, got {business_days}.", field="business_days"
            )
        day = self.effective_receipt(received_at).date()
        for _ in range(business_days):
            day = self.next_working_day(day)
        return self._at(day, self._work_end)

    def after_working_time(self, received_at: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of working time after the (effective) receipt of ``received_at``.

        The deadline of a term counted in working hours: only working hours of working days
        count, so four hours from Friday 16:00 end on Monday at 11:00 (when Monday is a working
        day). A term that ends exactly at the end of a working day ends at 18:00 that day, not
        at 09:00 the next. Returned in the calendar's zone. Raises :class:`CalendarError` for a
        naive datetime or an amount that is not positive.
        """
        if not isinstance(amount, timedelta) or amount <= _ZERO:
            raise CalendarError(
                f"the working time must be a positive timedelta, got {amount!r}.", field="amount"
            )
        start = self.effective_receipt(received_at)
        day = start.date()
        left = amount
        today = self._at(day, self._work_end) - start
        while left > today:
            left -= today
            day = self.next_working_day(day)
            today = self._day_length
        opens = start if day == start.date() else self._at(day, self._work_start)
        return opens + left

    # -- working time --------------------------------------------------------------------------

    def _overlap(self, day: date, start: datetime, end: datetime) -> timedelta:
        """Working time of ``day`` inside ``[start, end]`` (naive wall-clock datetimes)."""
        if not self.is_working_day(day):
            return _ZERO
        lo = max(start, self._at_naive(day, self._work_start))
        hi = min(end, self._at_naive(day, self._work_end))
        return max(hi - lo, _ZERO)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from ``start`` to ``end``, exact to the microsecond.

        Only time inside working hours of working days counts. Additive: the time from a to b
        plus the time from b to c is the time from a to c. Cost grows with the number of years
        spanned, not days. Raises :class:`CalendarError` for naive datetimes or when ``end``
        is before ``start`` (an answer cannot precede its request; a negative figure would
        silently corrupt statistics).
        """
        require_aware(start, "start")
        require_aware(end, "end")
        if end < start:
            raise CalendarError(
                f"the interval ends before it starts ({start.isoformat()} > {end.isoformat()}).",
                field="end",
            )
        lo = start.astimezone(self._tz).replace(tzinfo=None)
        hi = end.astimezone(self._tz).replace(tzinfo=None)
        first, last = lo.date(), hi.date()
        if first == last:
            return self._overlap(first, lo, hi)
        middle = self.working_days_in(first + _ONE_DAY, last - _ONE_DAY)
        return (
            self._overlap(first, lo, hi) + self._day_length * middle + self._overlap(last, lo, hi)
        )

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from ``start`` to ``end``, for answer-time statistics.

        The float form of :meth:`working_time_between` (median and p95 answer times are
        reported in working hours); same rules and failures.
        """
        return self.working_time_between(start, end) / timedelta(hours=1)


@cache
def default_calendar() -> BusinessCalendar:
    """The product's calendar: Tashkent, 09:00-18:00, the ``holidays`` package's data.

    Built once per process and shared (its year tables are cached inside). Code that needs
    extra holidays from configuration builds its own :class:`BusinessCalendar` instead.
    """
    return BusinessCalendar()
