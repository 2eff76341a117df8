"""Deadline policies: which legal term applies to a kind of request.

Regulation 003 gives most requests one business day after the day of receipt (items 12, 13
and 18); item 22 exempts archive references from that term. A service's configuration names
its policy; the routing code asks the policy, never the calendar directly, for the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from gateway.calendar.business import BusinessCalendar
from gateway.exceptions import ConfigError

__all__ = ["ARCHIVE_REFERENCE_DEADLINE", "REGULATION_DEADLINE", "DeadlineKind", "DeadlinePolicy"]

DeadlineKind = Literal["business_days", "exempt"]
"""``business_days``: due after a number of working days; ``exempt``: no legal deadline."""

_KINDS: tuple[str, ...] = get_args(DeadlineKind)


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """The legal term of one kind of request.

    ``DeadlinePolicy()`` is the regulation's one business day; ``DeadlinePolicy("business_days",
    3)`` a longer term; ``DeadlinePolicy("exempt")`` no term at all (archive references, item
    22). For ``business_days`` the count defaults to 1 and must be a whole number of at least
    1; an exempt policy takes no count. Built from configuration, so a bad value raises
    :class:`~gateway.exceptions.ConfigError` and stops the process at start-up.
    """

    kind: DeadlineKind = "business_days"
    business_days: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ConfigError(
                f"unknown deadline kind {self.kind!r}.",
                field="kind",
                hint=f"use one of: {', '.join(_KINDS)}.",
            )
        if self.kind == "exempt":
            if self.business_days is not None:
                raise ConfigError(
                    "an exempt deadline policy takes no business_days "
                    f"(got {self.business_days!r}).",
                    field="business_days",
                    hint="remove business_days, or use kind 'business_days'.",
                )
            return
        if self.business_days is None:
            object.__setattr__(self, "business_days", 1)
            return
        days = self.business_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ConfigError(
                f"business_days must be a whole number of at least 1, got {days!r}.",
                field="business_days",
            )

    @classmethod
    def within(cls, business_days: int = 1) -> DeadlinePolicy:
        """A term of ``business_days`` working days after the day of receipt."""
        return cls("business_days", business_days)

    @classmethod
    def exempt(cls) -> DeadlinePolicy:
        """No legal term (regulation item 22: archive references)."""
        return cls("exempt")

    @property
    def is_exempt(self) -> bool:
        """Whether requests under this policy have no deadline."""
        return self.kind == "exempt"

    def deadline_for(self, received_at: datetime, calendar: BusinessCalendar) -> datetime | None:
        """The deadline of a request taken in at ``received_at``, or ``None`` when exempt.

        ``received_at`` is the gateway's intake time (item 16). It must be timezone-aware even
        for an exempt policy, so a caller's bug shows whichever policy the service has; a naive
        datetime raises :class:`~gateway.calendar.exceptions.CalendarError`.
        """
        calendar.to_local(received_at)
        if self.business_days is None:
            return None
        return calendar.due_date(received_at, self.business_days)


REGULATION_DEADLINE = DeadlinePolicy()
"""One business day after the day of receipt: regulation 003, items 12, 13 and 18."""

ARCHIVE_REFERENCE_DEADLINE = DeadlinePolicy.exempt()
"""Archive references have no term: regulation 003, item 22."""
