"""The dashboard's figures as JSON-ready dicts, computed from plain data; pure.

The worker gathers the raw material (cases, NIS.UZ report rows, metric counters, lag
statuses) and calls these to build the ``overview`` document; nothing here knows Faust.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.dashboard.throughput import COUNTERS, Throughput
from gateway.lag.model import Status

__all__ = [
    "COUNTERS",
    "Throughput",
    "calendar_warning",
    "cases_by_body",
    "lag_colour",
    "lag_view",
    "rejection_reasons",
    "timeliness_rating",
]

_MS_PER_HOUR = 3_600_000


def _number(value: Any) -> int | float:
    """A count as an int when it is whole (Prometheus counters are floats)."""
    number = float(value or 0)
    return int(number) if number.is_integer() else number


def cases_by_body(cases: Iterable[Mapping[str, Any]], now_ms: int) -> list[dict[str, Any]]:
    """Open and overdue cases per body that owes the answer (the case's ``holder``).

    Only bodies with at least one open case are listed. A case is overdue when it is open and
    its ``due_at`` is before ``now_ms`` (an exempt case, ``due_at`` None, never is). Rows are
    ``{"body", "open", "overdue", "oldest_open_hours"}``, most overdue first, then most open.
    """
    open_count: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    oldest: dict[str, int] = {}
    for case in cases:
        if case.get("status", "open") != "open":
            continue
        body = str(case["holder"])
        open_count[body] += 1
        due = case.get("due_at")
        if due is not None and int(due) < now_ms:
            overdue[body] += 1
        received = int(case["received_at"])
        oldest[body] = min(received, oldest.get(body, received))
    ordered = sorted(open_count, key=lambda b: (-overdue[b], -open_count[b], b))
    return [
        {
            "body": body,
            "open": open_count[body],
            "overdue": overdue[body],
            "oldest_open_hours": round(max(0, now_ms - oldest[body]) / _MS_PER_HOUR, 1),
        }
        for body in ordered
    ]


def calendar_warning(
    *, ok: bool, problems: Iterable[str], notices: Iterable[str], reload_error: str | None
) -> dict[str, Any]:
    """The dashboard's calendar block: ``{"ok", "problems", "notices", "reload_error"}``.

    ``ok`` is False (a warning shown above the figures) while a year that must be ready is not
    (the rule of ``gateway calendar check``), or while the calendar file is refused and the
    last good calendar is used; notices (sources to confirm) are shown without alarm.
    """
    return {
        "ok": ok and reload_error is None,
        "problems": list(problems),
        "notices": list(notices),
        "reload_error": reload_error,
    }


_SUMMED = ("received", "answered_on_time", "answered_late", "refused", "overdue_now")


def timeliness_rating(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Bodies ranked by how promptly they resolve cases, from NIS.UZ report rows.

    Rows come one per body and service; counts are summed per body. ``on_time_share`` is
    ``on_time / (on_time + late + overdue_now)``: a case still overdue counts against the body
    just as a late answer does. Refusals are left out of the share (a refusal with reasons is a
    lawful outcome whose timeliness the report does not split). It is None when the body has
    nothing resolved or overdue yet; such bodies rank last. Medians of several services cannot
    be combined into a median, so the row reports the slowest service's median
    (``slowest_service_median_hours``) and the worst 95th percentile (``worst_p95_hours``).
    Ranking: higher share first, then fewer overdue, then more received, then the name.
    """
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_SUMMED, 0))
    medians: dict[str, list[float]] = defaultdict(list)
    p95s: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        body = str(row["body"])
        totals = sums[body]
        for name in _SUMMED:
            totals[name] += int(row.get(name) or 0)
        if row.get("median_answer_hours") is not None:
            medians[body].append(float(row["median_answer_hours"]))
        if row.get("p95_answer_hours") is not None:
            p95s[body].append(float(row["p95_answer_hours"]))
    rated: list[dict[str, Any]] = []
    for body, totals in sums.items():
        judged = totals["answered_on_time"] + totals["answered_late"] + totals["overdue_now"]
        share = round(totals["answered_on_time"] / judged, 4) if judged else None
        rated.append(
            {
                "body": body,
                **totals,
                "on_time_share": share,
                "slowest_service_median_hours": max(medians[body], default=None),
                "worst_p95_hours": max(p95s[body], default=None),
            }
        )
    rated.sort(
        key=lambda r: (
            r["on_time_share"] is None,
            -(r["on_time_share"] or 0.0),
            r["overdue_now"],
            -r["received"],
            r["body"],
        )
    )
    return [{"rank": rank, **row} for rank, row in enumerate(rated, start=1)]


def rejection_reasons(counts: Mapping[str, float]) -> list[dict[str, Any]]:
    """Rejections per reason code, most frequent first: ``{"reason", "count", "share"}``."""
    total = sum(float(c) for c in counts.values())
    ordered = sorted(counts, key=lambda reason: (-float(counts[reason]), reason))
    return [
        {
            "reason": reason,
            "count": _number(counts[reason]),
            "share": round(float(counts[reason]) / total, 4) if total else 0.0,
        }
        for reason in ordered
    ]


_COLOURS = {
    Status.OK: "ok",
    Status.WARN: "warn",
    Status.STALL: "err",
    Status.STOP: "err",
    Status.REWIND: "err",
    Status.UNKNOWN: "unknown",
}


def _status(value: Any) -> Status:
    try:
        return Status(str(value).upper())
    except ValueError:
        return Status.UNKNOWN


def lag_colour(status: Any) -> str:
    """The CSS colour class of a lag status: ok (green), warn (amber), err (red), unknown (grey)."""
    return _COLOURS[_status(status)]


def lag_view(groups: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per consumer group from ``GroupStatus.as_dict()``, the worst groups first.

    Rows are ``{"group", "status", "colour", "total_lag", "max_lag_seconds", "partitions",
    "problems"}``: ``partitions`` is how many the group has, ``problems`` the explanation of
    each partition that is not OK (``"topic[p] STATUS: detail"``). A status this dashboard does
    not know shows as UNKNOWN.
    """
    rows: list[dict[str, Any]] = []
    for group in groups:
        status = _status(group.get("status"))
        partitions = list(group.get("partitions") or ())
        problems = [
            f"{p.get('topic')}[{p.get('partition')}] {p.get('status')}: {p.get('detail', '')}"
            for p in partitions
            if _status(p.get("status")) is not Status.OK
        ]
        rows.append(
            {
                "group": str(group["group"]),
                "status": status.value,
                "colour": _COLOURS[status],
                "total_lag": int(group.get("total_lag") or 0),
                "max_lag_seconds": group.get("max_lag_seconds"),
                "partitions": len(partitions),
                "problems": problems,
            }
        )
    rows.sort(key=lambda r: (-Status(r["status"]).rank, r["group"]))
    return rows
