"""Errors of the business calendar.

::

    GatewayError
    └── CalendarError (also a ValueError)   an argument the calendar cannot reason about

A bad *configuration* of the calendar (unknown time zone, working day that ends before it
starts, a date both an extra holiday and an extra working day) is a
:class:`gateway.exceptions.ConfigError` instead: it stops the process at start-up.
"""

from __future__ import annotations

from gateway.exceptions import GatewayError
from gateway.reasons import Reason

__all__ = ["CalendarError"]


class CalendarError(GatewayError, ValueError):
    """A value given to the calendar cannot be used: a naive datetime, a ``datetime`` where a
    calendar ``date`` is meant, an interval that ends before it starts, a count below one.

    It is a programming error of the caller, not a fault of the message being processed, so
    it is not retriable; it also derives from :class:`ValueError` so generic callers that
    guard against bad values catch it.
    """

    reason = Reason.INTERNAL
    retriable = False
