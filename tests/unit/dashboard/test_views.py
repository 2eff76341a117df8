"""The dashboard's figures from plain data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.dashboard import (
    Throughput,
    calendar_warning,
    cases_by_body,
    lag_colour,
    lag_view,
    rejection_reasons,
    timeliness_rating,
)
from gateway.lag.model import GroupStatus, Observation, PartitionStatus, Status

HOUR = 3_600_000
NOW = 1_000 * HOUR


def _case(holder: str, *, status: str = "open", received: int, due: int | None) -> dict[str, Any]:
    return {
        "case_id": f"c-{holder}-{received}",
        "request_id": "r",
        "requester": "201000001",
        "holder": holder,
        "service": "svc",
        "adapters": [],
        "received_at": received,
        "due_at": due,
        "status": status,
        "closed_at": None,
        "messages": {},
    }


def test_cases_by_body_counts_open_and_overdue_per_holder() -> None:
    cases = [
        _case("A", received=NOW - 10 * HOUR, due=NOW + HOUR),
        _case("A", received=NOW - 5 * HOUR, due=NOW + HOUR),
        _case("A", received=NOW - 50 * HOUR, due=NOW - HOUR, status="answered"),
        _case("B", received=NOW - 30 * HOUR, due=NOW - 1),
        _case("B", received=NOW - 2 * HOUR, due=None),  # exempt: never overdue
        _case("C", received=NOW - HOUR, due=NOW),  # due now, not yet past it
        _case("D", received=NOW - HOUR, due=NOW - HOUR, status="refused"),
    ]
    rows = cases_by_body(cases, NOW)
    assert rows == [
        {"body": "B", "open": 2, "overdue": 1, "oldest_open_hours": 30.0},
        {"body": "A", "open": 2, "overdue": 0, "oldest_open_hours": 10.0},
        {"body": "C", "open": 1, "overdue": 0, "oldest_open_hours": 1.0},
    ]


def _row(body: str, service: str, **counts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "body": body,
        "service": service,
        "received": 0,
        "answered_on_time": 0,
        "answered_late": 0,
        "refused": 0,
        "overdue_now": 0,
        "median_answer_hours": None,
        "p95_answer_hours": None,
    }
    return base | counts


def test_timeliness_rating_aggregates_and_ranks() -> None:
    rows = [
        _row(
            "A",
            "s1",
            received=10,
            answered_on_time=6,
            answered_late=2,
            median_answer_hours=5.0,
            p95_answer_hours=20.0,
        ),
        _row(
            "A",
            "s2",
            received=5,
            answered_on_time=2,
            overdue_now=0,
            refused=1,
            median_answer_hours=9.5,
            p95_answer_hours=12.0,
        ),
        _row("B", "s1", received=4, answered_on_time=4, median_answer_hours=1.0),
        _row("C", "s1", received=3),  # nothing resolved: no share, ranked last
        _row("D", "s1", received=8, answered_on_time=8, overdue_now=2),
        _row("E", "s1", received=9, answered_on_time=4, overdue_now=1),
    ]
    rated = timeliness_rating(rows)
    # A, E and D share 0.8; the fewer overdue, the higher
    assert [r["body"] for r in rated] == ["B", "A", "E", "D", "C"]
    assert [r["rank"] for r in rated] == [1, 2, 3, 4, 5]
    a = rated[1]
    assert a["received"] == 15
    assert a["answered_on_time"] == 8
    assert a["answered_late"] == 2
    assert a["refused"] == 1
    assert a["on_time_share"] == 0.8
    assert a["slowest_service_median_hours"] == 9.5
    assert a["worst_p95_hours"] == 20.0
    assert rated[3]["on_time_share"] == 0.8  # D: 8 / (8 + 2 overdue)
    assert rated[-1]["on_time_share"] is None
    assert rated[-1]["slowest_service_median_hours"] is None


def test_equal_share_ranks_fewer_overdue_first() -> None:
    rows = [
        _row("X", "s", answered_on_time=1, answered_late=1, overdue_now=2),  # 1/4
        _row("Y", "s", answered_on_time=1, answered_late=3),  # 1/4, none overdue
    ]
    assert [r["body"] for r in timeliness_rating(rows)] == ["Y", "X"]


def test_only_overdue_is_a_zero_share_not_none() -> None:
    rated = timeliness_rating([_row("Z", "s", received=2, overdue_now=2), _row("N", "s")])
    assert [(r["body"], r["on_time_share"]) for r in rated] == [("Z", 0.0), ("N", None)]


def test_throughput_rates_between_samples() -> None:
    tp = Throughput(size=10)
    tp.sample(100.0, {"received": 0, "accepted": 0, "rejected": 0, "routed": 0})
    tp.sample(110.0, {"received": 50, "accepted": 40, "rejected": 10, "routed": 40})
    tp.sample(120.0, {"received": 150, "accepted": 130, "rejected": 20, "routed": 120})
    series = tp.series()
    assert series["at"] == [110.0, 120.0]
    assert series["rates"]["received"] == [5.0, 10.0]
    assert series["rates"]["rejected"] == [1.0, 1.0]
    assert series["current"]["routed"] == 8.0
    assert series["totals"]["received"] == 150.0


def test_throughput_counter_reset_counts_from_zero() -> None:
    tp = Throughput()
    tp.sample(0.0, {"received": 1000})
    tp.sample(10.0, {"received": 30})  # the worker restarted
    assert tp.series()["rates"]["received"] == [3.0]


def test_throughput_keeps_the_last_n_and_skips_non_advancing_time() -> None:
    tp = Throughput(size=3)
    for i in range(5):
        tp.sample(float(i), {"received": float(i * 2)})
    assert len(tp) == 3
    tp.sample(4.0, {"received": 100.0})  # same time as the previous sample
    series = tp.series()
    assert series["at"] == [4.0]  # (3 -> 4) counted, (4 -> 4) skipped
    assert series["rates"]["received"] == [2.0]


def test_throughput_empty_and_invalid_size() -> None:
    series = Throughput().series()
    assert series["at"] == []
    assert series["current"] == {"accepted": 0.0, "received": 0.0, "rejected": 0.0, "routed": 0.0}
    with pytest.raises(ValueError, match="at least 2"):
        Throughput(size=1)


def test_rejection_reasons_sorted_by_count() -> None:
    rows = rejection_reasons({"missing_field": 3.0, "bad_signature": 7.0, "clock_skew": 0.0})
    assert [r["reason"] for r in rows] == ["bad_signature", "missing_field", "clock_skew"]
    assert rows[0] == {"reason": "bad_signature", "count": 7, "share": 0.7}
    assert isinstance(rows[0]["count"], int)
    assert rejection_reasons({}) == []


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        ("OK", "ok"),
        ("WARN", "warn"),
        ("STALL", "err"),
        ("STOP", "err"),
        ("REWIND", "err"),
        ("UNKNOWN", "unknown"),
        ("nonsense", "unknown"),
    ],
)
def test_lag_colours(status: str, colour: str) -> None:
    assert lag_colour(status) == colour


def test_lag_view_from_group_status_dicts() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    ok = GroupStatus(
        "worker",
        Status.OK,
        (PartitionStatus(Observation("worker", "t", 0, at, 10, 10), Status.OK, "fine", 3),),
    )
    stalled = GroupStatus(
        "adapter-portal",
        Status.STALL,
        (
            PartitionStatus(Observation("a", "t", 0, at, 5, 9), Status.STALL, "no commits", 3),
            PartitionStatus(Observation("a", "t", 1, at, 2, 3), Status.OK, "fine", 3),
        ),
    )
    empty = GroupStatus("adapter-nisuz", Status.UNKNOWN, ())
    rows = lag_view([ok.as_dict(), stalled.as_dict(), empty.as_dict()])
    assert [(r["group"], r["colour"]) for r in rows] == [
        ("adapter-portal", "err"),
        ("adapter-nisuz", "unknown"),
        ("worker", "ok"),
    ]
    portal = rows[0]
    assert portal["status"] == "STALL"
    assert portal["total_lag"] == 5
    assert portal["partitions"] == 2
    assert portal["problems"] == ["t[0] STALL: no commits"]
    assert rows[2]["max_lag_seconds"] == 0.0


def test_calendar_warning_shows_a_year_not_ready_or_a_refused_file() -> None:
    ready = calendar_warning(
        ok=True, problems=[], notices=["2026: 6 entries ..."], reload_error=None
    )
    assert ready == {
        "ok": True,
        "problems": [],
        "notices": ["2026: 6 entries ..."],
        "reload_error": None,
    }
    missing = calendar_warning(ok=False, problems=["2027: no entry"], notices=[], reload_error=None)
    assert missing["ok"] is False
    assert missing["problems"] == ["2027: no entry"]
    refused = calendar_warning(ok=True, problems=[], notices=[], reload_error="calendar.yaml:4: x")
    assert refused["ok"] is False
    assert refused["reload_error"] == "calendar.yaml:4: x"
