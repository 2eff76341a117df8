"""A NIS.UZ report from the statistics table's entries: pure, so any reader can build it.

The entries come from the table's changelog (:mod:`gateway.statistics.changelog`), which holds
every worker's partitions, so a report is complete however many workers run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from gateway.statistics.counts import BUCKETS_PER_HOUR, COUNTS

__all__ = ["build_report", "parse_period", "percentile", "report_json"]


def percentile(hist: Mapping[str, int], q: float) -> float | None:
    """The ``q`` quantile (0..1) of a 15-minute histogram, as the bucket's middle, in hours."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, int(-(-q * total // 1)))  # ceil(q * total), at least the first answer
    seen = 0
    for bucket in sorted(hist, key=int):
        seen += hist[bucket]
        if seen >= rank:
            return round((int(bucket) + 0.5) / BUCKETS_PER_HOUR, 3)
    return None  # unreachable: seen reaches total


def parse_period(text: str, today: date) -> tuple[date, date]:
    """``today``, ``yesterday``, ``YYYY-MM-DD``, ``YYYY-MM`` or ``FROM..TO`` as (first, last)."""
    text = text.strip()
    if text == "today":
        return today, today
    if text == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if text == "month":
        return today.replace(day=1), today
    if ".." in text:
        first, last = (date.fromisoformat(p) for p in text.split("..", 1))
    elif len(text) == 7:
        first = date.fromisoformat(text + "-01")
        following = (first + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
    else:
        first = last = date.fromisoformat(text)
    if last < first:
        raise ValueError(f"the period {text!r} ends before it starts")
    return first, last


def build_report(
    entries: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    first: date,
    last: date,
    generated_at: datetime,
    gateway_org: str,
) -> dict[str, Any]:
    """A ``StatsReport`` record for the days ``first``..``last`` (inclusive)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for key, value in entries:
        _, body, service, day_text = key.split("|", 3)
        day = date.fromisoformat(day_text)
        row = rows.setdefault((body, service), {"counts": dict.fromkeys(COUNTS, 0), "hist": {}})
        counts = row["counts"]
        # what is overdue now counts every day; the rest only the period's days
        counts["overdue"] += int(value.get("overdue", 0))
        counts["overdue_resolved"] += int(value.get("overdue_resolved", 0))
        if not first <= day <= last:
            continue
        row["active"] = True
        for name in ("received", "answered_on_time", "answered_late", "refused"):
            counts[name] += int(value.get(name, 0))
        for bucket, n in (value.get("hist") or {}).items():
            row["hist"][bucket] = row["hist"].get(bucket, 0) + int(n)
    out = []
    for (body, service), row in sorted(rows.items()):
        counts = row["counts"]
        overdue_now = max(0, counts["overdue"] - counts["overdue_resolved"])
        if not row.get("active") and overdue_now == 0:
            continue
        out.append(
            {
                "body": body,
                "service": service,
                "received": counts["received"],
                "answered_on_time": counts["answered_on_time"],
                "answered_late": counts["answered_late"],
                "refused": counts["refused"],
                "overdue_now": overdue_now,
                "median_answer_hours": percentile(row["hist"], 0.5),
                "p95_answer_hours": percentile(row["hist"], 0.95),
            }
        )
    # the wire keeps milliseconds (timestamp-millis): keep no more, so copies compare equal
    generated_at = generated_at.replace(microsecond=generated_at.microsecond // 1000 * 1000)
    return {
        "report_id": f"{gateway_org}-{first.isoformat()}-{last.isoformat()}",
        "period_from": first,
        "period_to": last,
        "generated_at": generated_at,
        "rows": out,
    }


def report_json(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report record as JSON-ready values (dates and times as ISO text)."""
    return {
        **report,
        "period_from": report["period_from"].isoformat(),
        "period_to": report["period_to"].isoformat(),
        "generated_at": report["generated_at"].isoformat(),
        "rows": [dict(r) for r in report["rows"]],
    }
