"""The one business-day calendar of the product: working days, effective receipt, deadlines.

Everything that computes a legal term or a working-hours figure goes through a
:class:`BusinessCalendar` (usually :func:`default_calendar`) and a :class:`DeadlinePolicy`::

    calendar = default_calendar()
    received = calendar.effective_receipt(intake_time)           # contract 000, 10.3
    due = REGULATION_DEADLINE.deadline_for(intake_time, calendar)  # items 12, 13, 16, 18

Pure code: no I/O besides the ``holidays`` package's bundled data.
"""

from __future__ import annotations

from gateway.calendar.business import DEFAULT_TZ, BusinessCalendar, default_calendar
from gateway.calendar.exceptions import CalendarError
from gateway.calendar.policy import (
    ARCHIVE_REFERENCE_DEADLINE,
    REGULATION_DEADLINE,
    DeadlineKind,
    DeadlinePolicy,
)

__all__ = [
    "ARCHIVE_REFERENCE_DEADLINE",
    "DEFAULT_TZ",
    "REGULATION_DEADLINE",
    "BusinessCalendar",
    "CalendarError",
    "DeadlineKind",
    "DeadlinePolicy",
    "default_calendar",
]
