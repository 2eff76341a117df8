"""The worker keeps its open cases' deadlines on the calendar in force.

When the calendar in force changes (a reload of ``calendar.yaml``), and whenever this worker
takes over partitions (at start, after a rebalance), :meth:`DeadlineKeeper.reconcile` walks
the open cases of its partitions once and recomputes each deadline by the rule of
:mod:`gateway.pipeline.deadlines`. It runs from the calendar timer and, first thing, from the
overdue timer, so the overdue scan never judges a case by a deadline the calendar no longer
gives. Nothing of this is on the message path.

Like the overdue scan, the outputs (events, notices, adapters) are acknowledged by Kafka
before the new case states are written; a crash in between repeats the same events (their ids
count the case's changes), which consumers deduplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from gateway.calendar import BusinessCalendar, DeadlinePolicy, ReloadingCalendar
from gateway.exceptions import ConfigError
from gateway.metrics import CalendarState
from gateway.pipeline import Case, Output, Outputs
from gateway.pipeline.deadlines import (
    DeadlineChange,
    change_reason,
    deadline_changed_outputs,
    recompute_deadline,
)
from gateway.services import ServiceRegistry
from gateway.worker.delivery import run_shielded

if TYPE_CHECKING:
    from gateway.worker.app import GatewayWorker

__all__ = ["DeadlineKeeper", "Deliver", "calendar_state", "keeper_for", "wire_calendar"]

log = structlog.get_logger(__name__)


class Deliver(Protocol):
    """What the keeper needs of the worker's producer (``Deliverer``)."""

    async def deliver(self, outputs: Sequence[Output]) -> None: ...


class DeadlineKeeper:
    """Recomputes the deadlines of this worker's open cases after a calendar change.

    ``cases`` is the worker's table (case id -> ``Case.to_json()``); ``owned`` yields the values
    of this worker's active partitions; ``partitions`` names them (a change of the set means
    cases to look at again); ``services`` gives the policy of a case stored before cases kept
    their own. ``changed`` counts the deadlines moved since start (a metric).
    """

    def __init__(
        self,
        calendars: ReloadingCalendar,
        *,
        cases: MutableMapping[str, Any],
        owned: Callable[[], Iterable[dict[str, Any]]],
        partitions: Callable[[], Iterable[int]],
        services: Callable[[], ServiceRegistry],
        outputs: Outputs,
        deliverer: Deliver,
        actor: str,
    ) -> None:
        self.calendars = calendars
        self._cases = cases
        self._owned = owned
        self._partitions = partitions
        self._services = services
        self._outputs = outputs
        self._deliverer = deliverer
        self._actor = actor
        self._lock = asyncio.Lock()
        self._done: tuple[str, frozenset[int]] | None = None
        self._basis: BusinessCalendar | None = None  # the calendar last reconciled with
        self.changed = 0

    def _policy(self, case: Case) -> DeadlinePolicy | None:
        if case.term is not None:
            try:
                return DeadlinePolicy.from_text(case.term)
            except ConfigError:
                log.warning("case_term_unreadable", case_id=case.case_id)
                return None
        service = self._services().get(case.service)
        return service.deadline if service is not None else None

    async def reconcile(self, now: datetime) -> int:
        """Recompute what the calendar in force changes, once per calendar and partition set.

        Returns how many deadlines moved. Safe to call often: with the same calendar and the
        same partitions it returns at once.
        """
        key = (self.calendars.digest, frozenset(self._partitions()))
        if key == self._done:
            return 0
        async with self._lock:
            if key == self._done:
                return 0
            calendar, file = self.calendars.current, self.calendars.file
            changes: list[DeadlineChange] = []
            kept = 0
            for value in list(self._owned()):
                if value.get("status") != "open" or value.get("due_at") is None:
                    continue
                case = Case.from_json(value)
                policy = self._policy(case)
                if policy is None:
                    continue
                change = recompute_deadline(case, policy, calendar, now=now)
                if change is None:
                    continue
                if change.applied:
                    changes.append(change)
                else:
                    kept += 1
            outputs: list[Output] = []
            for change in changes:
                reason = change_reason(change, calendar, file, self._basis)
                outputs += deadline_changed_outputs(
                    change,
                    self._outputs,
                    now=now,
                    actor=self._actor,
                    reason=reason,
                    calendar_digest=key[0],
                )

            async def commit() -> None:
                await self._deliverer.deliver(outputs)
                for change in changes:
                    stored = self._cases.get(change.case.case_id) or {}
                    self._cases[change.case.case_id] = {**stored, **change.case.to_json()}

            if changes:
                await run_shielded(commit, "deadlines")
            self._done, self._basis = key, calendar
            self.changed += len(changes)
        if changes or kept:
            log.info(
                "deadlines_recomputed",
                changed=len(changes),
                kept_past=kept,
                calendar=key[0],
                partitions=len(key[1]),
            )
        return len(changes)


def calendar_state(keeper: DeadlineKeeper) -> CalendarState:
    """What the calendar metrics and the dashboard show, read at scrape time."""
    calendars = keeper.calendars
    return CalendarState(
        check=calendars.check(),
        reload_failing=calendars.last_error is not None,
        deadlines_changed=keeper.changed,
    )


def keeper_for(worker: GatewayWorker) -> DeadlineKeeper:
    """The keeper of ``worker``'s cases table and partitions (built in its ``__post_init__``)."""
    return DeadlineKeeper(
        worker.calendars,
        cases=worker.cases,
        owned=worker.owned_cases,
        partitions=worker._local_partitions,  # the worker's own helper
        services=lambda: worker.services.current,
        outputs=worker.outputs,
        deliverer=worker.deliverer,
        actor=worker.settings.gateway_org,
    )


def wire_calendar(worker: GatewayWorker) -> None:
    """The calendar timer: reload a changed ``calendar.yaml``, then recompute deadlines."""

    @worker.app.timer(worker.settings.calendar_check_s)  # type: ignore[untyped-decorator]
    async def calendar_timer() -> None:
        if worker.calendars.refresh():
            await worker.deadlines.reconcile(worker.now())
