"""The calendar in force, following ``calendar.yaml``: edits take effect without a restart.

Like the service registry: a timer calls :meth:`ReloadingCalendar.refresh`; the hot path reads
:attr:`ReloadingCalendar.current`, a plain attribute (no lock, no I/O). A file that fails
validation is reported (log event ``calendar_reload_failed`` with the file:line sentence,
:attr:`last_error` for the metric and the dashboard) and the last good calendar stays in force.
A new calendar's years around today are computed before it is put in force, so the first
message after a reload pays no package look-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import structlog

from gateway.calendar.business import BusinessCalendar
from gateway.calendar.check import CalendarCheck, check_calendar
from gateway.calendar.entries import CalendarFile
from gateway.calendar.merged import build_calendar
from gateway.calendar.spec import load_calendar_file
from gateway.exceptions import SpecError

__all__ = ["ReloadingCalendar"]

log = structlog.get_logger(__name__)


class ReloadingCalendar:
    """Holds the calendar built from ``path`` and rebuilds it when the file changes.

    Raises :class:`~gateway.exceptions.SpecError` at construction for a missing or invalid
    file: a worker must not start on a calendar nobody can read.
    """

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stamp = self._stat()
        self.file: CalendarFile = load_calendar_file(path)
        self.current: BusinessCalendar = self._built(self.file)
        self.last_error: SpecError | None = None
        self._unreadable = False
        self._check: tuple[tuple[str, date], CalendarCheck] | None = None

    def _stat(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise SpecError(
                "file not found",
                file=str(self.path),
                line=None,
                hint="create it (see docs/operations.md#the-working-calendar) or set "
                "GATEWAY_CALENDAR_FILE",
            ) from None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def today(self) -> date:
        """Today in the calendar's zone, by the clock given at construction."""
        return self.current.to_local(self._clock()).date()

    def _built(self, file: CalendarFile) -> BusinessCalendar:
        calendar = build_calendar(file)
        year = calendar.to_local(self._clock()).year
        for warm in range(year - 1, year + 3):  # off the message path: see the module doc
            calendar.non_working_days(warm)
        return calendar

    @property
    def digest(self) -> str:
        """The fingerprint of the file's effect in force (equal digests, equal deadlines)."""
        return self.file.digest

    def refresh(self) -> bool:
        """Reload if the file changed; returns whether a new calendar is in force."""
        try:
            stamp = self._stat()
        except SpecError as exc:
            self.last_error, self._unreadable = exc, True
            log.warning("calendar_file_unreadable", file=str(self.path), error=str(exc))
            return False
        if stamp == self._stamp:
            if self._unreadable:  # the same file is back: what is in force is what it says
                self.last_error, self._unreadable = None, False
            return False
        self._unreadable = False
        self._stamp = stamp
        try:
            file = load_calendar_file(self.path)
        except SpecError as exc:
            self.last_error = exc
            log.warning("calendar_reload_failed", file=str(self.path), error=str(exc))
            return False
        self.last_error = None
        if file.digest == self.file.digest:
            self.file = file  # notes or sources reworded: the same days, the same deadlines
            log.info("calendar_reloaded", file=str(self.path), entries=len(file), changed=False)
            return False
        self.current = self._built(file)
        self.file = file
        log.info("calendar_reloaded", file=str(self.path), entries=len(file), digest=file.digest)
        return True

    def check(self) -> CalendarCheck:
        """The readiness check of the file in force for today (cached per file and day)."""
        today = self.today()
        key = (f"{self.file.digest}:{id(self.file)}", today)
        if self._check is None or self._check[0] != key:
            self._check = (key, check_calendar(self.file, today))
        return self._check[1]
