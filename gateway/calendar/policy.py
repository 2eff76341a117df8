"""Deadline policies: which legal term applies to a kind of request.

Regulation 003 gives most requests one business day after the day of receipt (items 12, 13
and 18); item 22 exempts archive references from that term. A service may have a longer term
in business days, or a term in working hours (a support-style term, like contract 000's
"acknowledge within 4 working hours"). A service's configuration names its policy; the
routing code asks the policy, never the calendar directly, for the deadline, and every policy
counts on the one calendar it is given: the calendar in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from gateway.calendar.business import BusinessCalendar
from gateway.exceptions import ConfigError

__all__ = ["ARCHIVE_REFERENCE_DEADLINE", "REGULATION_DEADLINE", "DeadlineKind", "DeadlinePolicy"]

DeadlineKind = Literal["business_days", "working_hours", "exempt"]
"""``business_days``: due at the end of the N-th working day after the day of receipt;
``working_hours``: due N working hours after receipt; ``exempt``: no legal deadline."""

_KINDS: tuple[str, ...] = get_args(DeadlineKind)


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{name} must be a whole number of at least 1, got {value!r}.",
            field=name,
        )
    return value


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """The legal term of one kind of request.

    ``DeadlinePolicy()`` is the regulation's one business day; ``DeadlinePolicy("business_days",
    3)`` a longer term; ``DeadlinePolicy.hours(4)`` four working hours; ``DeadlinePolicy(
    "exempt")`` no term at all (archive references, item 22). For ``business_days`` the count
    defaults to 1; ``working_hours`` needs its count; an exempt policy takes none. Built from
    configuration, so a bad value raises :class:`~gateway.exceptions.ConfigError` and stops the
    process at start-up.
    """

    kind: DeadlineKind = "business_days"
    business_days: int | None = None
    working_hours: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ConfigError(
                f"unknown deadline kind {self.kind!r}.",
                field="kind",
                hint=f"use one of: {', '.join(_KINDS)}.",
            )
        if self.kind == "exempt":
            for name in ("business_days", "working_hours"):
                if getattr(self, name) is not None:
                    raise ConfigError(
                        f"an exempt deadline policy takes no {name} (got {getattr(self, name)!r}).",
                        field=name,
                        hint=f"remove {name}, or use another kind.",
                    )
            return
        other = "working_hours" if self.kind == "business_days" else "business_days"
        if getattr(self, other) is not None:
            raise ConfigError(
                f"a {self.kind} policy takes no {other} (got {getattr(self, other)!r}).",
                field=other,
            )
        if self.kind == "working_hours":
            _count(self.working_hours, "working_hours")
            return
        if self.business_days is None:
            object.__setattr__(self, "business_days", 1)
            return
        _count(self.business_days, "business_days")

    @classmethod
    def within(cls, business_days: int = 1) -> DeadlinePolicy:
        """A term of ``business_days`` working days after the day of receipt."""
        return cls("business_days", business_days)

    @classmethod
    def hours(cls, working_hours: int) -> DeadlinePolicy:
        """A term of ``working_hours`` working hours after receipt."""
        return cls("working_hours", working_hours=working_hours)

    @classmethod
    def exempt(cls) -> DeadlinePolicy:
        """No legal term (regulation item 22: archive references)."""
        return cls("exempt")

    @property
    def is_exempt(self) -> bool:
        """Whether requests under this policy have no deadline."""
        return self.kind == "exempt"

    def to_text(self) -> str:
        """The policy as it is stored with a case: ``business_days:1``, ``working_hours:4``,
        ``exempt``; :meth:`from_text` reads it back."""
        if self.kind == "exempt":
            return "exempt"
        count = self.business_days if self.kind == "business_days" else self.working_hours
        return f"{self.kind}:{count}"

    @classmethod
    def from_text(cls, text: str) -> DeadlinePolicy:
        """The policy of :meth:`to_text`; raises ConfigError for anything else."""
        kind, _, count = text.partition(":")
        if kind == "exempt" and not count:
            return cls.exempt()
        if kind in ("business_days", "working_hours") and count.isdigit():
            if kind == "business_days":
                return cls.within(int(count))
            return cls.hours(int(count))
        raise ConfigError(f"{text!r} is not a deadline policy.", field="term")

    def deadline_for(self, received_at: datetime, calendar: BusinessCalendar) -> datetime | None:
        """The deadline of a request taken in at ``received_at``, or ``None`` when exempt.

        ``received_at`` is the gateway's intake time (item 16). It must be timezone-aware even
        for an exempt policy, so a caller's bug shows whichever policy the service has; a naive
        datetime raises :class:`~gateway.calendar.exceptions.CalendarError`.
        """
        calendar.to_local(received_at)
        if self.working_hours is not None:
            return calendar.after_working_time(received_at, timedelta(hours=self.working_hours))
        if self.business_days is None:
            return None
        return calendar.due_date(received_at, self.business_days)


REGULATION_DEADLINE = DeadlinePolicy()
"""One business day after the day of receipt: regulation 003, items 12, 13 and 18."""

ARCHIVE_REFERENCE_DEADLINE = DeadlinePolicy.exempt()
"""Archive references have no term: regulation 003, item 22."""
