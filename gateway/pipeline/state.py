"""The state of one case as the gateway keeps it (a value of the ``cases`` table).

A case opens with an accepted request and closes when it is answered, refused or cancelled.
It remembers every message id it has seen with the hash of the bytes, which is how a resend
is told from a reused id, and the deadline policy it was taken in under, so a calendar change
recomputes its deadline under that policy (:mod:`gateway.pipeline.deadlines`). Stored as a
JSON-friendly dict so the table's changelog is readable.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

__all__ = ["Case", "CaseStatus"]

CaseStatus = Literal["open", "answered", "refused", "cancelled"]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _ms(value: datetime | None) -> int | None:
    """Whole milliseconds since the epoch, in exact integer arithmetic (no float rounding)."""
    return None if value is None else (value - _EPOCH) // _MS


def _dt(value: Any) -> datetime | None:
    return None if value is None else _EPOCH + value * _MS


@dataclasses.dataclass(slots=True)
class Case:
    """An open or closed case: who asked whom for what, when, and by when."""

    case_id: str
    request_id: str
    requester: str
    holder: str
    service: str
    adapters: tuple[str, ...]
    received_at: datetime
    due_at: datetime | None
    status: CaseStatus = "open"
    closed_at: datetime | None = None
    messages: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> sha256 hex
    term: str | None = None  # the deadline policy at intake (DeadlinePolicy.to_text())
    deadline_changes: int = 0  # how often a calendar change moved due_at (event ids)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its deadline (an exempt case never is)."""
        return self.is_open and self.due_at is not None and now > self.due_at

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "request_id": self.request_id,
            "requester": self.requester,
            "holder": self.holder,
            "service": self.service,
            "adapters": list(self.adapters),
            "received_at": _ms(self.received_at),
            "due_at": _ms(self.due_at),
            "status": self.status,
            "closed_at": _ms(self.closed_at),
            "messages": dict(self.messages),
            "term": self.term,
            "deadline_changes": self.deadline_changes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Case:
        received = _dt(data["received_at"])
        assert received is not None  # noqa: S101 -- written by to_json, never null
        return cls(
            case_id=data["case_id"],
            request_id=data["request_id"],
            requester=data["requester"],
            holder=data["holder"],
            service=data["service"],
            adapters=tuple(data.get("adapters") or ()),
            received_at=received,
            due_at=_dt(data.get("due_at")),
            status=data.get("status", "open"),
            closed_at=_dt(data.get("closed_at")),
            messages=dict(data.get("messages") or {}),
            term=data.get("term"),
            deadline_changes=int(data.get("deadline_changes") or 0),
        )
