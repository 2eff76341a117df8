"""The calendar file as data: decreed days off and working days, each with its legal source.

Built by :func:`gateway.calendar.load_calendar_file` from ``calendar.yaml``; frozen, so a
loaded file can be shared by the worker's timers, the metrics and the dashboard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

__all__ = ["CalendarEntry", "CalendarFile", "DayKind", "LegalSource", "effect_digest"]

DayKind = Literal["day_off", "working_day"]
"""``day_off``: nobody works that day; ``working_day``: a working day (a working Saturday, or
a weekday the package wrongly holds as a holiday)."""


@dataclass(frozen=True, slots=True)
class LegalSource:
    """The act that sets a day: its kind, number and date, and where to read it.

    ``number`` or ``signed`` is None when the file marks it ``tbc`` (to be confirmed): the act
    is known by its text or address but its number or date has not been checked yet. Such a
    source still counts, and ``gateway calendar check`` lists it until it is confirmed.
    """

    act: str
    number: str | None
    signed: date | None
    url: str | None = None

    @property
    def confirmed(self) -> bool:
        """Whether both the act's number and its date are known."""
        return self.number is not None and self.signed is not None

    def cite(self) -> str:
        """The source in one line, e.g. ``Presidential resolution PQ-194 of 2026-05-20``."""
        number = self.number or "(number to be confirmed)"
        signed = self.signed.isoformat() if self.signed else "(date to be confirmed)"
        text = f"{self.act} {number} of {signed}"
        return f"{text}, {self.url}" if self.url else text


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One date of the file: a day off or a working day, why, and on what legal ground.

    ``moved_from`` (days off only) is the date of an *estimated* holiday of the package that
    this entry moves here (an Eid fixed a day later than computed): that date is then an
    ordinary day, a working day unless it falls on a weekend.
    """

    day: date
    kind: DayKind
    source: LegalSource
    note: str | None = None
    moved_from: date | None = None
    line: int | None = None

    @property
    def working(self) -> bool:
        return self.kind == "working_day"

    def describe(self) -> str:
        """``2026-05-28 day off: <source>`` for events, logs and the command line."""
        what = "working day" if self.working else "day off"
        moved = f" (moved from {self.moved_from.isoformat()})" if self.moved_from else ""
        return f"{self.day.isoformat()} {what}{moved}: {self.source.cite()}"


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """Every entry of one calendar file, in date order, and what they make of the calendar."""

    entries: tuple[CalendarEntry, ...]
    path: Path | None = None

    def __iter__(self) -> Iterator[CalendarEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def days_off(self) -> frozenset[date]:
        """Dates the file declares days off."""
        return frozenset(e.day for e in self.entries if not e.working)

    @property
    def working_days(self) -> frozenset[date]:
        """Dates the file declares working days, and the weekdays its moved holidays left."""
        out = {e.day for e in self.entries if e.working}
        out |= {e.moved_from for e in self.entries if e.moved_from and e.moved_from.weekday() < 5}
        return frozenset(out)

    @property
    def vacated(self) -> frozenset[date]:
        """Estimated holiday dates the file moved elsewhere (``moved_from``)."""
        return frozenset(e.moved_from for e in self.entries if e.moved_from is not None)

    def entry(self, day: date) -> CalendarEntry | None:
        """The entry of ``day``, or the entry that moved a holiday away from ``day``."""
        for e in self.entries:
            if day in (e.day, e.moved_from):
                return e
        return None

    def in_year(self, year: int) -> tuple[CalendarEntry, ...]:
        return tuple(e for e in self.entries if e.day.year == year)

    @property
    def digest(self) -> str:
        """A short fingerprint of what the file changes (dates and kinds, not the wording):
        equal digests give equal deadlines."""
        return effect_digest(self.days_off, self.working_days)


def effect_digest(days_off: Iterable[date], working_days: Iterable[date]) -> str:
    """The fingerprint of a set of overrides: 12 hex digits of a SHA-256."""
    text = ";".join(
        [
            *(f"off:{d.isoformat()}" for d in sorted(days_off)),
            *(f"work:{d.isoformat()}" for d in sorted(working_days)),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]
