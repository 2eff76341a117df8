"""The adapter runners' series: bound per adapter, breaker read at scrape time."""

from __future__ import annotations

import pytest

from gateway.metrics import RunnerMetrics


def test_settled_messages_are_counted_by_outcome_and_timed() -> None:
    metrics = RunnerMetrics()
    portal = metrics.adapter("portal", lambda: False)
    portal.settled("delivered", 0.2)
    portal.settled("delivered", 1.5)
    portal.settled("not_applicable", 0.01)
    portal.settled("dead_letter", 40.0)
    portal.retry()
    portal.retry()
    value = metrics.registry.get_sample_value
    deliveries = "gateway_adapter_deliveries_total"
    assert value(deliveries, {"adapter": "portal", "outcome": "delivered"}) == 2
    assert value(deliveries, {"adapter": "portal", "outcome": "not_applicable"}) == 1
    assert value(deliveries, {"adapter": "portal", "outcome": "dead_letter"}) == 1
    assert value("gateway_adapter_dead_letters_total", {"adapter": "portal"}) == 1
    assert value("gateway_adapter_retries_total", {"adapter": "portal"}) == 2
    assert value("gateway_adapter_delivery_seconds_count", {"adapter": "portal"}) == 4
    assert value("gateway_adapter_delivery_seconds_sum", {"adapter": "portal"}) == pytest.approx(
        41.71
    )


def test_an_unknown_outcome_is_a_bug() -> None:
    portal = RunnerMetrics().adapter("portal", lambda: False)
    with pytest.raises(KeyError):
        portal.settled("dead_letters", 1.0)


def test_the_circuit_gauge_follows_each_breaker_when_scraped() -> None:
    metrics = RunnerMetrics()
    state = {"eqaror": False, "portal": False}
    metrics.adapter("eqaror", lambda: state["eqaror"])
    metrics.adapter("portal", lambda: state["portal"])
    value = metrics.registry.get_sample_value
    assert value("gateway_adapter_circuit_open", {"adapter": "portal"}) == 0
    state["portal"] = True
    assert value("gateway_adapter_circuit_open", {"adapter": "portal"}) == 1
    assert value("gateway_adapter_circuit_open", {"adapter": "eqaror"}) == 0
    # series of a known adapter exist at zero before its first message
    assert value("gateway_adapter_retries_total", {"adapter": "eqaror"}) == 0
