"""The working calendar as Prometheus series, read from the worker's calendar in force.

Computed when Prometheus scrapes (the check is cached per file and day). Series:

* ``gateway_calendar_incomplete{year}``: 1 while ``year`` (the current one, and from
  1 December the next) has estimated dates the calendar file does not confirm, or no entry in
  the file; 0 when it is ready (``gateway calendar check`` says the same);
* ``gateway_calendar_unconfirmed_estimates{year}``: how many of the package's estimated dates
  of ``year`` the file does not confirm;
* ``gateway_calendar_sources_to_confirm{year}``: entries whose act number or date is ``tbc``;
* ``gateway_calendar_reload_failing``: 1 while ``calendar.yaml`` is refused and the last good
  calendar is used;
* ``gateway_deadlines_changed_total``: deadlines of open cases moved by calendar changes
  since the worker started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.calendar import CalendarCheck

__all__ = ["CALENDAR_SERIES", "CalendarMetrics", "CalendarState"]

CALENDAR_SERIES = (
    "gateway_calendar_incomplete",
    "gateway_calendar_unconfirmed_estimates",
    "gateway_calendar_sources_to_confirm",
    "gateway_calendar_reload_failing",
    "gateway_deadlines_changed_total",
)


@dataclass(frozen=True, slots=True)
class CalendarState:
    """What the collector reads: the check of today, whether the file is refused, the count."""

    check: CalendarCheck
    reload_failing: bool
    deadlines_changed: int


class CalendarMetrics(Collector):
    """Yields the calendar's series from ``state()``."""

    def __init__(self, state: Callable[[], CalendarState]) -> None:
        self._state = state

    def collect(self) -> Iterator[Metric]:
        state = self._state()
        incomplete = GaugeMetricFamily(
            "gateway_calendar_incomplete",
            "1 while the year has estimated dates the calendar file does not confirm, or no "
            "decree entry.",
            labels=["year"],
        )
        estimates = GaugeMetricFamily(
            "gateway_calendar_unconfirmed_estimates",
            "Estimated holiday dates of the year that the calendar file does not confirm.",
            labels=["year"],
        )
        pending = GaugeMetricFamily(
            "gateway_calendar_sources_to_confirm",
            "Calendar file entries of the year whose act number or date is to be confirmed.",
            labels=["year"],
        )
        for year in state.check.years:
            label = [str(year.year)]
            incomplete.add_metric(label, 0.0 if year.ok else 1.0)
            estimates.add_metric(label, len(year.unconfirmed))
            pending.add_metric(label, len(year.to_be_confirmed))
        failing = GaugeMetricFamily(
            "gateway_calendar_reload_failing",
            "1 while calendar.yaml is refused and the last good calendar is in force.",
        )
        failing.add_metric([], 1.0 if state.reload_failing else 0.0)
        changed = CounterMetricFamily(
            "gateway_deadlines_changed",
            "Deadlines of open cases moved by calendar changes since start.",
        )
        changed.add_metric([], state.deadlines_changed)
        yield incomplete
        yield estimates
        yield pending
        yield failing
        yield changed
