"""Consumer lag as Prometheus series, from the latest :class:`~gateway.lag.GroupStatus` list.

The worker's lag monitor (:mod:`gateway.worker.monitor`) refreshes the statuses every
``lag_check_s``; this collector only reads the latest list when Prometheus scrapes, so a
scrape never talks to Kafka. Series:

* ``gateway_consumer_lag_messages{group,topic,partition}``: log-end minus committed offset;
* ``gateway_consumer_lag_seconds{group,topic,partition}``: age of the oldest unconsumed
  message (0 when nothing is waiting; no sample while its timestamp could not be read);
* ``gateway_consumer_group_status{group,status}``: 1 for the group's current Burrow-style
  status, 0 for the others, so ``gateway_consumer_group_status{status="STOP"} == 1`` alerts;
* ``gateway_consumer_lag_age_seconds``: how old the latest observation is (a stuck monitor is
  itself a fault).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.lag import GroupStatus, Status

__all__ = ["LAG_SERIES", "LagMetrics"]

LAG_SERIES = (
    "gateway_consumer_lag_messages",
    "gateway_consumer_lag_seconds",
    "gateway_consumer_group_status",
    "gateway_consumer_lag_age_seconds",
)


class LagMetrics(Collector):
    """Holds the latest statuses (``update``) and yields them as gauges when scraped."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._groups: tuple[GroupStatus, ...] = ()
        self._at: float | None = None

    def update(self, groups: Sequence[GroupStatus], at: float | None = None) -> None:
        """Replace the statuses with a new refresh's (``at``: epoch seconds, default now)."""
        self._groups = tuple(groups)
        self._at = self._clock() if at is None else at

    @property
    def groups(self) -> tuple[GroupStatus, ...]:
        return self._groups

    def collect(self) -> Iterator[Metric]:
        messages = GaugeMetricFamily(
            "gateway_consumer_lag_messages",
            "Consumer lag in messages (log-end offset minus committed offset).",
            labels=["group", "topic", "partition"],
        )
        seconds = GaugeMetricFamily(
            "gateway_consumer_lag_seconds",
            "Age of the oldest unconsumed message, in seconds (0 when none waits).",
            labels=["group", "topic", "partition"],
        )
        status = GaugeMetricFamily(
            "gateway_consumer_group_status",
            "1 for the consumer group's current status (Burrow's rules), 0 for the others.",
            labels=["group", "status"],
        )
        for group in self._groups:
            for p in group.partitions:
                c = p.current
                labels = [group.group, c.topic, str(c.partition)]
                if c.lag is not None:
                    messages.add_metric(labels, c.lag)
                if c.lag_seconds is not None:  # unknown (record unread): no sample, not a 0
                    seconds.add_metric(labels, c.lag_seconds)
            for s in Status:
                status.add_metric([group.group, s.value], 1.0 if s is group.status else 0.0)
        yield messages
        yield seconds
        yield status
        if self._at is not None:
            age = GaugeMetricFamily(
                "gateway_consumer_lag_age_seconds",
                "Seconds since the lag monitor's latest refresh.",
            )
            age.add_metric([], max(0.0, self._clock() - self._at))
            yield age
