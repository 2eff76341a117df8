"""NIS.UZ statistics: what each event counts, and the report over a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from gateway.calendar import default_calendar
from gateway.statistics import (
    build_report,
    count_event,
    merge,
    parse_period,
    percentile,
    stats_key,
)

CAL = default_calendar()
HOLDER, REQUESTER, SERVICE = "201000001", "201000003", "DX-0123"
# Monday 2026-11-23, 10:00 Tashkent = 05:00 UTC
RECEIVED = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def event(stage: str, at: datetime, kind: str = "Request", **detail: str) -> dict[str, Any]:
    base = {"type": kind, "service": SERVICE, "holder": HOLDER, "requester": REQUESTER}
    return {"stage": stage, "at": at, "detail": {**base, **detail}}


def entry(stage: str, at: datetime, kind: str = "Request", **detail: str) -> dict[str, Any]:
    e = event(stage, at, kind, **detail)
    return {**e, "at": at.isoformat()}


TIMELINE = [entry("received", RECEIVED), entry("accepted", RECEIVED)]


def test_an_accepted_request_counts_as_received_on_its_tashkent_day() -> None:
    late_evening = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 01:30 on the 24th in Tashkent
    tally = count_event(event("accepted", late_evening), [], CAL)
    assert tally is not None
    assert (tally.body, tally.service, tally.day) == (HOLDER, SERVICE, date(2026, 11, 24))
    assert tally.counts == {"received": 1}


def test_an_answer_counts_on_time_with_its_working_hours() -> None:
    answered = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # next day 11:30: 8 h + 2.5 h
    tally = count_event(event("answered", answered, "Response"), TIMELINE, CAL)
    assert tally is not None
    assert tally.counts == {"answered_on_time": 1}
    assert tally.answer_hours == pytest.approx(10.5)


def test_a_late_answer_after_overdue_resolves_the_overdue_case() -> None:
    timeline = [*TIMELINE, entry("overdue", RECEIVED)]
    at = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    tally = count_event(event("answered", at, "Response", late="true"), timeline, CAL)
    assert tally is not None
    assert tally.counts == {"answered_late": 1, "overdue_resolved": 1}


def test_refusals_and_overdue_count() -> None:
    at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    refused = count_event(event("refused", at, "Refusal"), TIMELINE, CAL)
    assert refused is not None
    assert refused.counts == {"refused": 1}
    assert refused.answer_hours == pytest.approx(1.0)
    overdue = count_event(event("overdue", at), TIMELINE, CAL)
    assert overdue is not None
    assert overdue.counts == {"overdue": 1}


@pytest.mark.parametrize(
    "record",
    [
        event("delivered", RECEIVED),
        event("received", RECEIVED),
        event("delivered", RECEIVED, adapter="portal"),
        {"stage": "rejected", "at": RECEIVED, "detail": {"reason": "missing_field"}},
        event("accepted", RECEIVED, "Response"),
    ],
)
def test_other_events_count_nothing(record: dict[str, Any]) -> None:
    assert count_event(record, TIMELINE, CAL) is None


def test_merge_adds_counts_and_buckets() -> None:
    at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    tally = count_event(event("answered", at, "Response"), TIMELINE, CAL)
    assert tally is not None
    once = merge(None, tally)
    twice = merge(once, tally)
    assert twice["answered_on_time"] == 2
    assert twice["hist"] == {"4": 2}  # 1 h = bucket 4 of 15 minutes
    assert twice["received"] == 0


def test_percentiles_of_a_histogram() -> None:
    hist = {"0": 1, "4": 8, "40": 1}  # 10 answers: 0-15 min, 1 h, 10 h
    assert percentile(hist, 0.5) == 1.125
    assert percentile(hist, 0.95) == 10.125
    assert percentile({}, 0.5) is None


def test_the_report_adds_the_period_days_and_keeps_overdue_now_from_every_day() -> None:
    day1, day2, before = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 1)
    table = {
        stats_key(0, HOLDER, SERVICE, day1): {
            "received": 2,
            "answered_on_time": 1,
            "hist": {"4": 1},
        },
        stats_key(1, HOLDER, SERVICE, day2): {"received": 1, "refused": 1, "hist": {"8": 1}},
        stats_key(2, HOLDER, SERVICE, before): {"received": 5, "overdue": 2, "overdue_resolved": 1},
        stats_key(0, "201000004", "DX-0789", before): {"received": 3},
    }
    report = build_report(
        table.items(),
        first=day1,
        last=day2,
        generated_at=RECEIVED,
        gateway_org="200000000",
    )
    assert report["report_id"] == "200000000-2026-11-23-2026-11-24"
    assert report["rows"] == [
        {
            "body": HOLDER,
            "service": SERVICE,
            "received": 3,
            "answered_on_time": 1,
            "answered_late": 0,
            "refused": 1,
            "overdue_now": 1,
            "median_answer_hours": 1.125,
            "p95_answer_hours": 2.125,
        }
    ]  # the other body had nothing in the period and nothing overdue: no row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", (date(2026, 11, 22), date(2026, 11, 22))),
        ("yesterday", (date(2026, 11, 21), date(2026, 11, 21))),
        ("month", (date(2026, 11, 1), date(2026, 11, 22))),
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2026-03-08", (date(2026, 3, 8), date(2026, 3, 8))),
        ("2026-01-01..2026-03-31", (date(2026, 1, 1), date(2026, 3, 31))),
    ],
)
def test_periods(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text, date(2026, 11, 22)) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-03-01..2026-01-01", "soon"])
def test_bad_periods_fail(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_period(text, date(2026, 11, 22))
