"""An adapter runner's series: deliveries by outcome, retries, dead letters, latency, breaker.

One :class:`RunnerMetrics` per process (a process may run several adapters); each runner holds
an :class:`AdapterMetrics` whose label children are bound once, so counting a delivery is a
plain increment. The breaker gauge is read from the runner when Prometheus scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["OUTCOMES", "AdapterMetrics", "RunnerMetrics"]

OUTCOMES = ("delivered", "not_applicable", "dead_letter")
DELIVERY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)


class _CircuitCollector(Collector):
    """``gateway_adapter_circuit_open{adapter}``: 1 while the adapter's breaker is open."""

    def __init__(self) -> None:
        self.watched: dict[str, Callable[[], bool]] = {}

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "gateway_adapter_circuit_open",
            "1 while the adapter's circuit breaker is open, else 0.",
            labels=["adapter"],
        )
        for adapter, is_open in sorted(self.watched.items()):
            gauge.add_metric([adapter], 1 if is_open() else 0)
        yield gauge


class AdapterMetrics:
    """One adapter's bound series; made by :meth:`RunnerMetrics.adapter`."""

    def __init__(self, parent: RunnerMetrics, adapter: str) -> None:
        self.adapter = adapter
        self.registry = parent.registry
        self._outcomes = {o: parent.deliveries.labels(adapter, o) for o in OUTCOMES}
        self._retries = parent.retries.labels(adapter)
        self._dead_letters = parent.dead_letters.labels(adapter)
        self._seconds = parent.delivery_seconds.labels(adapter)

    def retry(self) -> None:
        """An attempt failed and will be retried."""
        self._retries.inc()

    def settled(self, outcome: str, seconds: float) -> None:
        """A message settled (its outputs acknowledged) ``seconds`` after its first attempt.

        ``outcome`` is ``delivered``, ``not_applicable`` or ``dead_letter``; an unknown one
        raises ``KeyError`` (a runner bug, found by the unit tests).
        """
        self._outcomes[outcome].inc()
        if outcome == "dead_letter":
            self._dead_letters.inc()
        self._seconds.observe(max(0.0, seconds))


class RunnerMetrics:
    """The adapter runners' registry and series (see the module's docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.deliveries = Counter(
            "gateway_adapter_deliveries",
            "Messages settled by the adapter, by outcome.",
            ["adapter", "outcome"],
            registry=self.registry,
        )
        self.retries = Counter(
            "gateway_adapter_retries",
            "Delivery attempts that failed and were retried.",
            ["adapter"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "gateway_adapter_dead_letters",
            "Messages written to the adapter's dead-letter topic.",
            ["adapter"],
            registry=self.registry,
        )
        self.delivery_seconds = Histogram(
            "gateway_adapter_delivery_seconds",
            "From a message's first delivery attempt to its settlement.",
            ["adapter"],
            buckets=DELIVERY_BUCKETS,
            registry=self.registry,
        )
        self._circuits = _CircuitCollector()
        self.registry.register(self._circuits)

    def adapter(self, name: str, circuit_open: Callable[[], bool]) -> AdapterMetrics:
        """The series of adapter instance ``name``; ``circuit_open`` is read at scrape time."""
        self._circuits.watched[name] = circuit_open
        return AdapterMetrics(self, name)
