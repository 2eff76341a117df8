"""The worker's side of the dashboard: what :mod:`gateway.dashboard` shows, read from the
worker's counters, tables, lag monitor and the adapters' dead-letter topics.

Cases and timelines are this worker's partitions (with several workers, each dashboard shows
its own share and the case search finds a case on the worker that owns it); the rating comes
from the statistics table's changelog, so it covers every worker.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog

from gateway.adapters.dlq import choose, read_letters, replay_output, summary
from gateway.dashboard import (
    Throughput,
    calendar_warning,
    cases_by_body,
    lag_view,
    rejection_reasons,
    timeliness_rating,
)
from gateway.statistics import compute_report

if TYPE_CHECKING:
    from gateway.worker.app import GatewayWorker

__all__ = ["WorkerDashboard"]

log = structlog.get_logger(__name__)

RATING_DAYS = 30  # the rating's period: the last 30 days, today included


class WorkerDashboard:
    """Implements :class:`gateway.dashboard.DashboardSource` for a :class:`GatewayWorker`."""

    def __init__(
        self, worker: GatewayWorker, *, rating_ttl_s: float = 30.0, letters_ttl_s: float = 10.0
    ) -> None:
        self.worker = worker
        self.throughput = Throughput()
        self.rating_ttl_s = rating_ttl_s
        self.letters_ttl_s = letters_ttl_s
        self._rating: list[dict[str, Any]] = []
        self._rating_at: float | None = None
        self._letters: list[Mapping[str, str]] = []
        self._letters_at: float | None = None
        self._reading = asyncio.Lock()  # one read of the dead-letter topics at a time

    def sample(self) -> None:
        """Take a throughput sample of the worker's counters (a timer calls this)."""
        self.throughput.sample(time.time(), self.worker.metrics.totals())

    async def rating(self) -> list[dict[str, Any]]:
        """Bodies ranked by timeliness over the last 30 days; recomputed at most every
        ``rating_ttl_s`` seconds (it reads the statistics changelog)."""
        now = time.monotonic()
        if self._rating_at is None or now - self._rating_at >= self.rating_ttl_s:
            w = self.worker
            today = w.intake.calendar.to_local(w.now()).date()
            first = today - timedelta(days=RATING_DAYS - 1)
            report = await compute_report(w.settings, first, today, w.now())
            self._rating = timeliness_rating(report["rows"])
            self._rating_at = now
        return self._rating

    async def overview(self) -> Mapping[str, Any]:
        w = self.worker
        return {
            "generated_at": w.now().isoformat(),
            "worker": w.settings.worker_id,
            "throughput": self.throughput.series(),
            "rejections": rejection_reasons(w.metrics.rejections()),
            "cases_by_body": cases_by_body(w.owned_cases(), w.now_ms()),
            "rating": await self.rating(),
            "lag": lag_view(g.as_dict() for g in w.monitor.groups),
            "stalled": w.stalled(),
            "calendar": self.calendar(),
        }

    def calendar(self) -> dict[str, Any]:
        """The calendar warning: a year not ready, or calendar.yaml refused."""
        calendars = self.worker.calendars
        check = calendars.check()
        name = calendars.path.name
        error = calendars.last_error
        return calendar_warning(
            ok=check.ok,
            problems=check.problems(name),
            notices=check.notices(),
            reload_error=str(error) if error is not None else None,
        )

    async def find(self, ident: str) -> Mapping[str, Any] | None:
        return self.worker.find(ident)

    async def dead_letters(self) -> Sequence[Mapping[str, str]]:
        """Every adapter's dead letters; the topics are read at most every ``letters_ttl_s``
        seconds however many dashboards are open (each refreshes every 5 s)."""
        async with self._reading:
            at = self._letters_at
            if at is None or time.monotonic() - at >= self.letters_ttl_s:
                self._letters = await self._read_letters()
                self._letters_at = time.monotonic()
            return self._letters

    async def _read_letters(self) -> list[Mapping[str, str]]:
        out: list[Mapping[str, str]] = []
        for adapter in self.worker.adapters:
            for letter in await read_letters(self.worker.connection, adapter):
                line = summary(letter)
                out.append(
                    {
                        "adapter": adapter,
                        "id": line["id"],
                        "message_id": letter.message_id,
                        "kind": line["kind"],
                        "reason": line["reason"],
                        "code": line["code"],
                        "status": line["status"],
                        "attempts": line["attempts"],
                        "at": line["last_attempt_at"],
                    }
                )
        return out

    async def replay(self, adapter: str, ident: str) -> int:
        """Put the newest dead letter of ``ident`` back on ``adapter``'s topic; KeyError when
        the adapter or the letter is unknown."""
        if adapter not in self.worker.adapters:
            raise KeyError(adapter)
        letters = await read_letters(self.worker.connection, adapter)
        chosen = choose(letters, ident)
        if not chosen:
            raise KeyError(ident)
        now = self.worker.now()
        await self.worker.deliverer.deliver([replay_output(adapter, x, at=now) for x in chosen])
        self._letters_at = None  # the next listing reads the topics again
        log.info("dead_letter_replayed", adapter=adapter, id=ident, via="dashboard")
        return len(chosen)
