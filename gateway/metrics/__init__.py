"""Prometheus metrics and health probes of the gateway's processes.

One module per process kind, each with its own :class:`prometheus_client.CollectorRegistry`
(never the global one, so a test or a process holding both kinds never mixes their series):

* :mod:`gateway.metrics.worker`: the Faust worker's intake and routing, open and overdue cases;
* :mod:`gateway.metrics.runner`: an adapter runner's deliveries, retries, dead letters, breaker;
* :mod:`gateway.metrics.crl`: the CRLs in force (next update, refused files, intake held);
* :mod:`gateway.metrics.calendar`: the working calendar (years not ready, refused file,
  deadlines moved);
* :mod:`gateway.metrics.health`: ``/healthz`` and ``/readyz`` answers and the cached broker probe.

The classes only count; the Faust app and the runner's web view serve each registry as
``/metrics`` with :func:`prometheus_client.generate_latest`.
"""

from __future__ import annotations

from gateway.metrics.calendar import CalendarMetrics, CalendarState
from gateway.metrics.crl import CrlMetrics
from gateway.metrics.health import BrokerProbe, Readiness, readiness
from gateway.metrics.runner import AdapterMetrics, RunnerMetrics
from gateway.metrics.worker import Decided, WorkerMetrics, destination_of

__all__ = [
    "AdapterMetrics",
    "BrokerProbe",
    "CalendarMetrics",
    "CalendarState",
    "CrlMetrics",
    "Decided",
    "Readiness",
    "RunnerMetrics",
    "WorkerMetrics",
    "destination_of",
    "readiness",
]
