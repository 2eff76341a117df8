"""The one business-day calendar of the product: working days, effective receipt, deadlines.

Everything that computes a legal term or a working-hours figure goes through a
:class:`BusinessCalendar` and a :class:`DeadlinePolicy`. In the worker that calendar is the
*calendar in force*: the ``holidays`` package's data with ``calendar.yaml`` on top (decreed
days off and working days, corrected Eid dates; the file wins), held by a
:class:`ReloadingCalendar` that follows the file::

    calendars = ReloadingCalendar(Path("calendar.yaml"))
    calendar = calendars.current
    received = calendar.effective_receipt(intake_time)           # contract 000, 10.3
    due = REGULATION_DEADLINE.deadline_for(intake_time, calendar)  # items 12, 13, 16, 18

:func:`default_calendar` is the package's data alone: enough for converting times to
Tashkent, never for a deadline the worker records. Pure code besides the package's bundled
data and the file reader.
"""

from __future__ import annotations

from gateway.calendar._source import package_version
from gateway.calendar.business import DEFAULT_TZ, BusinessCalendar, default_calendar
from gateway.calendar.check import CalendarCheck, YearCheck, check_calendar, years_to_check
from gateway.calendar.entries import CalendarEntry, CalendarFile, DayKind, LegalSource
from gateway.calendar.exceptions import CalendarError
from gateway.calendar.merged import DayInfo, YearView, build_calendar, changed_days, describe_year
from gateway.calendar.policy import (
    ARCHIVE_REFERENCE_DEADLINE,
    REGULATION_DEADLINE,
    DeadlineKind,
    DeadlinePolicy,
)
from gateway.calendar.reloading import ReloadingCalendar
from gateway.calendar.spec import TBC, load_calendar_file

__all__ = [
    "ARCHIVE_REFERENCE_DEADLINE",
    "DEFAULT_TZ",
    "REGULATION_DEADLINE",
    "TBC",
    "BusinessCalendar",
    "CalendarCheck",
    "CalendarEntry",
    "CalendarError",
    "CalendarFile",
    "DayInfo",
    "DayKind",
    "DeadlineKind",
    "DeadlinePolicy",
    "LegalSource",
    "ReloadingCalendar",
    "YearCheck",
    "YearView",
    "build_calendar",
    "changed_days",
    "check_calendar",
    "default_calendar",
    "describe_year",
    "load_calendar_file",
    "package_version",
    "years_to_check",
]
