"""The CRLs in force as Prometheus series, read from a :class:`~gateway.signing.CrlState`.

Computed when Prometheus scrapes (the state needs no I/O). Series:

* ``gateway_crl_next_update_seconds``: the earliest nextUpdate of the CRLs in force, epoch
  seconds (absent while no CRL with a nextUpdate is loaded), so an alert can compare it with
  ``time()``;
* ``gateway_crl_reload_failing``: 1 while a CRL file is refused and its last good copy (if
  any) is used instead;
* ``gateway_crl_revoked_certificates``: how many certificates the CRLs in force list;
* ``gateway_crl_intake_held``: 1 while the fail-closed rule holds intake (``crl_expired``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.signing import CrlState

__all__ = ["CRL_SERIES", "CrlMetrics"]

CRL_SERIES = (
    "gateway_crl_next_update_seconds",
    "gateway_crl_reload_failing",
    "gateway_crl_revoked_certificates",
    "gateway_crl_intake_held",
)


class CrlMetrics(Collector):
    """Yields the CRL gauges from ``state()`` (None: no CRL is configured, no samples)."""

    def __init__(self, state: Callable[[], CrlState | None]) -> None:
        self._state = state

    def collect(self) -> Iterator[Metric]:
        state = self._state()
        next_update = GaugeMetricFamily(
            "gateway_crl_next_update_seconds",
            "Earliest nextUpdate of the CRLs in force (epoch seconds).",
        )
        failing = GaugeMetricFamily(
            "gateway_crl_reload_failing",
            "1 while a CRL file is refused and the last good copy is used.",
        )
        revoked = GaugeMetricFamily(
            "gateway_crl_revoked_certificates",
            "Certificates listed by the CRLs in force.",
        )
        held = GaugeMetricFamily(
            "gateway_crl_intake_held",
            "1 while intake is held because the CRLs are past nextUpdate (fail closed).",
        )
        if state is not None:
            if state.next_update is not None:
                next_update.add_metric([], state.next_update.timestamp())
            failing.add_metric([], 1.0 if state.failures else 0.0)
            revoked.add_metric([], state.revoked)
            held.add_metric([], 1.0 if state.holds else 0.0)
        yield next_update
        yield failing
        yield revoked
        yield held
