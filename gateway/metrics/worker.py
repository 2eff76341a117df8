"""The worker's series: intake outcomes, routing, intake-to-routed latency, open cases.

Counting happens once per batch (a few dictionary updates, then one ``inc`` per label seen),
never per output; the case gauges are computed when Prometheus scrapes, from the cases table,
so the hot path never maintains them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client import Counter as PromCounter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.pipeline import Output
from gateway.topics.names import EVENTS, REJECTED

__all__ = ["Decided", "WorkerMetrics", "destination_of"]

_INBOX = "exchange.inbox."
_ADAPTER = "exchange.adapter."
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Decided(Protocol):
    """What the metrics read of an intake decision (:class:`gateway.pipeline.Decision`)."""

    @property
    def outcome(self) -> str: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def reason(self) -> object | None: ...


def destination_of(topic: str) -> str | None:
    """``inbox``, ``adapter``, ``events`` or ``rejected`` by the topic's name; None otherwise."""
    if topic.startswith(_INBOX):
        return "inbox"
    if topic.startswith(_ADAPTER):
        return "adapter"
    if topic == EVENTS:
        return "events"
    if topic == REJECTED:
        return "rejected"
    return None


class _CasesCollector(Collector):
    """``gateway_open_cases`` and ``gateway_overdue_cases{body}``, computed at scrape time."""

    def __init__(
        self, cases: Callable[[], Iterable[Mapping[str, Any]]], now_ms: Callable[[], int]
    ) -> None:
        self._cases = cases
        self._now_ms = now_ms

    def collect(self) -> Iterator[Metric]:
        now_ms = self._now_ms()
        open_cases = 0
        overdue: Counter[str] = Counter()
        for case in self._cases():
            if case.get("status") != "open":
                continue
            open_cases += 1
            due = case.get("due_at")
            if due is not None and due < now_ms:
                overdue[str(case.get("holder"))] += 1
        gauge = GaugeMetricFamily(
            "gateway_open_cases", "Open cases held by this worker's partitions."
        )
        gauge.add_metric([], open_cases)
        yield gauge
        late = GaugeMetricFamily(
            "gateway_overdue_cases",
            "Open cases past their deadline, by holder body.",
            labels=["body"],
        )
        for body, count in sorted(overdue.items()):
            late.add_metric([body], count)
        yield late


class WorkerMetrics:
    """The worker's registry and series (see the module's docstring).

    ``cases`` yields the case states (``Case.to_json()`` values) this worker owns; ``now_ms``
    is the worker's clock in milliseconds (the same one that decides deadlines).
    """

    def __init__(
        self,
        cases: Callable[[], Iterable[Mapping[str, Any]]] = tuple,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.received = PromCounter(
            "gateway_messages_received",
            "Messages read from the outboxes, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.accepted = PromCounter(
            "gateway_messages_accepted",
            "Messages accepted, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.rejected = PromCounter(
            "gateway_messages_rejected",
            "Messages rejected, by reason code.",
            ["reason"],
            registry=self.registry,
        )
        self.routed = PromCounter(
            "gateway_messages_routed",
            "Records produced and acknowledged, by destination.",
            ["destination"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_intake_to_routed_seconds",
            "From a record's broker timestamp to the acknowledgement of its batch's outputs.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_CasesCollector(cases, now_ms))

    def decided(self, decisions: Iterable[Decided]) -> None:
        """Count one batch's decisions: received by kind, accepted by kind, rejected by reason."""
        received: Counter[str] = Counter()
        accepted: Counter[str] = Counter()
        rejected: Counter[str] = Counter()
        for decision in decisions:
            kind = decision.kind or "unknown"
            received[kind] += 1
            if decision.outcome == "accepted":
                accepted[kind] += 1
            elif decision.outcome == "rejected":
                rejected[str(decision.reason or "unknown")] += 1
        for kind, n in received.items():
            self.received.labels(kind).inc(n)
        for kind, n in accepted.items():
            self.accepted.labels(kind).inc(n)
        for reason, n in rejected.items():
            self.rejected.labels(reason).inc(n)

    def acknowledged(
        self, outputs: Sequence[Output], timestamps: Iterable[float], at: float | None = None
    ) -> None:
        """Count a batch whose outputs Kafka acknowledged at ``at`` (epoch seconds, default
        now); ``timestamps`` are its input records' broker timestamps (epoch seconds)."""
        at = time.time() if at is None else at
        routed: Counter[str] = Counter()
        for output in outputs:
            destination = destination_of(output.topic)
            if destination is not None:
                routed[destination] += 1
        for destination, n in routed.items():
            self.routed.labels(destination).inc(n)
        for stamp in timestamps:
            self.latency.observe(max(0.0, at - stamp))

    def totals(self) -> dict[str, float]:
        """The running totals of received, accepted, rejected and routed (all labels summed),
        for the dashboard's throughput; read from the counters, so nothing is counted twice."""
        return {
            name: _sum(counter)
            for name, counter in (
                ("received", self.received),
                ("accepted", self.accepted),
                ("rejected", self.rejected),
                ("routed", self.routed),
            )
        }

    def rejections(self) -> dict[str, float]:
        """Rejected messages by reason code since this worker started."""
        return _by_label(self.rejected, "reason")


def _sum(counter: PromCounter) -> float:
    return sum(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))


def _by_label(counter: PromCounter, label: str) -> dict[str, float]:
    return {
        s.labels[label]: s.value
        for m in counter.collect()
        for s in m.samples
        if s.name.endswith("_total")
    }
