"""Consumer lag as Prometheus series: read from the latest statuses when scraped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from gateway.lag import GroupStatus, Observation, PartitionStatus, Status
from gateway.metrics.lag import LAG_SERIES, LagMetrics

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _partition(group: str, partition: int, committed: int | None, end: int) -> PartitionStatus:
    seen = Observation(
        group, "exchange.outbox.1", partition, T0, committed, end,
        oldest_unconsumed_at=T0 - timedelta(seconds=42),
    )  # fmt: skip
    return PartitionStatus(seen, Status.OK, "", 3)


def _samples(metrics: LagMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    registry.register(metrics)
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_lag_per_partition_and_one_status_per_group() -> None:
    metrics = LagMetrics(clock=lambda: 1000.0)
    groups = [
        GroupStatus("gw", Status.STOP, (_partition("gw", 0, 10, 25), _partition("gw", 1, 7, 7))),
        GroupStatus("gateway-adapter-portal", Status.OK, ()),
    ]
    metrics.update(groups, at=990.0)
    seen = _samples(metrics)
    part0 = (("group", "gw"), ("partition", "0"), ("topic", "exchange.outbox.1"))
    part1 = (("group", "gw"), ("partition", "1"), ("topic", "exchange.outbox.1"))
    assert seen[("gateway_consumer_lag_messages", part0)] == 15
    assert seen[("gateway_consumer_lag_messages", part1)] == 0
    assert seen[("gateway_consumer_lag_seconds", part0)] == 42
    assert seen[("gateway_consumer_lag_seconds", part1)] == 0  # caught up: nothing waits
    status = {k[1]: v for k, v in seen.items() if k[0] == "gateway_consumer_group_status"}
    assert status[(("group", "gw"), ("status", "STOP"))] == 1
    assert sum(v for (g, _), v in status.items() if g == ("group", "gw")) == 1
    assert status[(("group", "gateway-adapter-portal"), ("status", "OK"))] == 1
    assert seen[("gateway_consumer_lag_age_seconds", ())] == 10


def test_nothing_but_empty_families_before_the_first_refresh() -> None:
    seen = _samples(LagMetrics())
    assert seen == {}
    assert len(LAG_SERIES) == 4


def test_an_unknown_age_is_no_sample_not_a_zero() -> None:
    unread = Observation("gw", "exchange.outbox.1", 0, T0, 10, 25)  # no oldest timestamp
    metrics = LagMetrics()
    metrics.update([GroupStatus("gw", Status.WARN, (PartitionStatus(unread, Status.WARN, "", 3),))])
    seen = _samples(metrics)
    assert [k for k in seen if k[0] == "gateway_consumer_lag_seconds"] == []
    assert [v for k, v in seen.items() if k[0] == "gateway_consumer_lag_messages"] == [15]
