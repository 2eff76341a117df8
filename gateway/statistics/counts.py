"""Per-body, per-service delivery statistics from lifecycle events (decision 002, NIS.UZ).

Pure: the worker's tracker calls :func:`count_event` for each new event of a case, with the
case's timeline so far, and adds the returned :class:`Tally` to its statistics table under
:func:`stats_key`. Figures are kept per Tashkent calendar day, so any period adds up days:

* ``received``: requests accepted;
* ``answered_on_time`` / ``answered_late``: responses by their deadline or after it;
* ``refused``: refusals (item 18);
* ``overdue`` / ``overdue_resolved``: cases that went past their deadline, and such cases
  answered later (their difference over all days is what is overdue now);
* ``hist``: answer times (response or refusal) in working hours of the Uzbek calendar, as a
  histogram of 15-minute buckets (median and 95th percentile come from it; a histogram stays
  small however many answers a day brings).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from gateway.calendar import BusinessCalendar

__all__ = ["BUCKETS_PER_HOUR", "COUNTS", "Tally", "count_event", "merge", "stats_key"]

BUCKETS_PER_HOUR = 4
COUNTS = (
    "received",
    "answered_on_time",
    "answered_late",
    "refused",
    "overdue",
    "overdue_resolved",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Tally:
    """What one event adds to the figures of (``body``, ``service``) on ``day``."""

    body: str
    service: str
    day: date
    counts: Mapping[str, int]
    answer_hours: float | None = None


def stats_key(partition: int, body: str, service: str, day: date) -> str:
    """The statistics table's key; it starts with the events partition, which is also the
    changelog partition, so each worker writes only the keys of its own partitions."""
    return f"{partition}|{body}|{service}|{day.isoformat()}"


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    at: datetime = value
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def count_event(
    record: Mapping[str, Any],
    timeline: Sequence[Mapping[str, Any]],
    calendar: BusinessCalendar,
) -> Tally | None:
    """What the event ``record`` (a decoded Status) adds; None when it adds nothing.

    ``timeline`` is the case's timeline before this event (entries as the tracker keeps
    them: ``stage``, ``at`` ISO text, ``detail``). Events of adapters (``detail.adapter``)
    and of rejected messages add nothing.
    """
    detail = record.get("detail") or {}
    stage = record.get("stage")
    holder, service = detail.get("holder"), detail.get("service")
    if not holder or not service or "adapter" in detail:
        return None
    at = _aware(record["at"])
    day = calendar.to_local(at).date()
    kind = detail.get("type")
    if stage == "accepted" and kind == "Request":
        return Tally(holder, service, day, {"received": 1})
    if stage == "overdue":
        return Tally(holder, service, day, {"overdue": 1})
    if stage not in {"answered", "refused"}:
        return None
    counts: dict[str, int] = {}
    if stage == "refused":
        counts["refused"] = 1
    elif detail.get("late") == "true":
        counts["answered_late"] = 1
    else:
        counts["answered_on_time"] = 1
    if any(e.get("stage") == "overdue" for e in timeline):
        counts["overdue_resolved"] = 1
    received = next(
        (
            _aware(e["at"])
            for e in timeline
            if e.get("stage") == "accepted" and (e.get("detail") or {}).get("type") == "Request"
        ),
        None,
    )
    hours = None
    if received is not None and received <= at:
        hours = calendar.working_hours_between(received, at)
    return Tally(holder, service, day, counts, hours)


def merge(value: Mapping[str, Any] | None, tally: Tally) -> dict[str, Any]:
    """The table value after adding ``tally`` to ``value`` (None: nothing yet)."""
    merged: dict[str, Any] = {name: int((value or {}).get(name, 0)) for name in COUNTS}
    for name, n in tally.counts.items():
        merged[name] += n
    hist = dict((value or {}).get("hist") or {})
    if tally.answer_hours is not None:
        bucket = str(int(tally.answer_hours * BUCKETS_PER_HOUR))
        hist[bucket] = int(hist.get(bucket, 0)) + 1
    merged["hist"] = hist
    return merged
