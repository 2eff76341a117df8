"""The worker's series: counted per batch, cases computed at scrape time, own registry."""

from __future__ import annotations

from typing import Any

import prometheus_client
import pytest
from prometheus_client import generate_latest

from gateway.metrics import WorkerMetrics, destination_of
from gateway.pipeline import Decision, Output
from gateway.reasons import Reason


def _value(metrics: WorkerMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


@pytest.mark.parametrize(
    ("topic", "destination"),
    [
        ("exchange.inbox.123456789", "inbox"),
        ("exchange.adapter.portal", "adapter"),
        ("exchange.events", "events"),
        ("exchange.rejected", "rejected"),
        ("exchange.adapter-dlq.portal", None),
        ("exchange.outbox.123456789", None),
    ],
)
def test_destination_follows_the_topic_prefix(topic: str, destination: str | None) -> None:
    assert destination_of(topic) == destination


def test_a_batch_counts_received_accepted_and_rejected() -> None:
    metrics = WorkerMetrics()
    metrics.decided(
        [
            Decision("accepted", [], "Request"),
            Decision("accepted", [], "Request"),
            Decision("accepted", [], "Response"),
            Decision("duplicate", [], "Request"),
            Decision("rejected", [], "Request", reason=Reason.MISSING_FIELD),
            Decision("rejected", [], None, reason=Reason.MALFORMED_ENVELOPE),
        ]
    )
    assert _value(metrics, "gateway_messages_received_total", kind="Request") == 4
    assert _value(metrics, "gateway_messages_received_total", kind="Response") == 1
    assert _value(metrics, "gateway_messages_received_total", kind="unknown") == 1
    assert _value(metrics, "gateway_messages_accepted_total", kind="Request") == 2
    assert _value(metrics, "gateway_messages_accepted_total", kind="Response") == 1
    assert _value(metrics, "gateway_messages_rejected_total", reason="missing_field") == 1
    assert _value(metrics, "gateway_messages_rejected_total", reason="malformed_envelope") == 1


SEALED = (("gateway.seal", b"counted, not checked"),)


def test_acknowledged_outputs_are_routed_and_timed_from_the_broker_timestamp() -> None:
    metrics = WorkerMetrics()
    outputs = [
        Output("exchange.inbox.1", None, b"", SEALED),  # inbox records must carry a seal
        Output("exchange.inbox.2", None, b"", SEALED),
        Output("exchange.events", None, b""),
        Output("exchange.adapter.portal", None, b""),
        Output("exchange.rejected", None, b""),
        Output("somewhere.else", None, b""),
    ]
    metrics.acknowledged(outputs, [100.0, 99.5, 101.0], at=100.2)
    assert _value(metrics, "gateway_messages_routed_total", destination="inbox") == 2
    for destination in ("events", "adapter", "rejected"):
        assert _value(metrics, "gateway_messages_routed_total", destination=destination) == 1
    assert _value(metrics, "gateway_intake_to_routed_seconds_count") == 3
    # a broker clock ahead of ours counts as zero, never negative
    assert _value(metrics, "gateway_intake_to_routed_seconds_sum") == pytest.approx(0.9)
    assert _value(metrics, "gateway_intake_to_routed_seconds_bucket", le="0.25") == 2


def test_case_gauges_are_read_from_the_cases_at_scrape_time() -> None:
    cases: list[dict[str, Any]] = []
    metrics = WorkerMetrics(lambda: cases, now_ms=lambda: 10_000)
    assert _value(metrics, "gateway_open_cases") == 0
    cases.extend(
        [
            {"status": "open", "holder": "200000001", "due_at": 5_000},
            {"status": "open", "holder": "200000001", "due_at": 9_999},
            {"status": "open", "holder": "200000002", "due_at": 3_000},
            {"status": "open", "holder": "200000002", "due_at": 20_000},
            {"status": "open", "holder": "200000003", "due_at": None},  # exempt
            {"status": "answered", "holder": "200000001", "due_at": 1_000},
        ]
    )
    assert _value(metrics, "gateway_open_cases") == 5
    assert _value(metrics, "gateway_overdue_cases", body="200000001") == 2
    assert _value(metrics, "gateway_overdue_cases", body="200000002") == 1
    assert _value(metrics, "gateway_overdue_cases", body="200000003") is None


def test_each_worker_has_its_own_registry_not_the_global_one() -> None:
    first, second = WorkerMetrics(), WorkerMetrics()
    first.decided([Decision("accepted", [], "Request")])
    assert _value(second, "gateway_messages_received_total", kind="Request") is None
    text = generate_latest(prometheus_client.REGISTRY).decode()
    assert "gateway_messages_received" not in text
    exposed = generate_latest(first.registry).decode()
    assert 'gateway_messages_received_total{kind="Request"} 1.0' in exposed
    assert "# TYPE gateway_open_cases gauge" in exposed


def test_totals_and_rejections_are_read_from_the_counters() -> None:
    metrics = WorkerMetrics()
    metrics.received.labels("Request").inc(4)
    metrics.received.labels("Response").inc(1)
    metrics.rejected.labels("missing_field").inc(2)
    metrics.routed.labels("inbox").inc(3)
    assert metrics.totals() == {"received": 5, "accepted": 0, "rejected": 2, "routed": 3}
    assert metrics.rejections() == {"missing_field": 2}
