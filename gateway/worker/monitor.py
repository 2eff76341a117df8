"""The worker's own watch: consumer lag of the product's groups, and a stall watchdog.

:class:`LagMonitor` refreshes the lag of the worker's group and every adapter runner's group
every ``lag_check_s`` (one long-lived :class:`~gateway.lag.LagCollector`, so no connection per
refresh), judges it with :class:`~gateway.lag.LagEvaluator` and hands the statuses to the
Prometheus collector and the dashboard.

:class:`Progress` answers "is this worker stuck?" for ``/readyz``: it is stalled when one of
its own partitions has input waiting (lag above zero in the latest refresh) and the agent that
reads it has finished no batch for ``worker_stall_s``. A stalled worker keeps its offsets, so
nothing is lost; the orchestrator is told so that an operator (or a restart) can act.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence

import structlog

from gateway.exceptions import BrokerError
from gateway.kafka import KafkaConnection
from gateway.lag import GroupStatus, LagCollector, LagEvaluator
from gateway.metrics.lag import LagMetrics

__all__ = ["LagMonitor", "Progress"]

log = structlog.get_logger(__name__)


class LagMonitor:
    """Periodic lag refreshes of ``groups``; the latest statuses are in :attr:`groups`."""

    def __init__(
        self,
        connection: KafkaConnection,
        groups: Sequence[str],
        metrics: LagMetrics | None = None,
    ) -> None:
        self.connection = connection
        self.names = tuple(groups)
        self.metrics = metrics or LagMetrics()
        self.evaluator = LagEvaluator()
        self._collector: LagCollector | None = None
        self._failing = False

    @property
    def groups(self) -> tuple[GroupStatus, ...]:
        return self.metrics.groups

    async def refresh(self) -> tuple[GroupStatus, ...]:
        """Observe once; on a broker failure keep the last statuses and log it once."""
        try:
            if self._collector is None:
                collector = LagCollector(self.connection)
                await collector.start()
                self._collector = collector
            snapshot = await self._collector.collect(self.names)
        except BrokerError as exc:
            if not self._failing:
                log.warning("lag_refresh_failed", error=str(exc))
            self._failing = True
            await self.close()
            return self.groups
        if self._failing:
            log.info("lag_refresh_recovered")
        self._failing = False
        self.evaluator.observe(snapshot)
        statuses = self.evaluator.statuses()
        self.metrics.update(statuses)
        return statuses

    async def close(self) -> None:
        collector, self._collector = self._collector, None
        if collector is not None:
            try:
                await collector.close()
            except (BrokerError, OSError) as exc:  # closing a dead connection
                log.debug("lag_collector_close_failed", error=repr(exc))


class Progress:
    """When each agent last finished a batch, and whether the worker is stalled."""

    def __init__(self, stall_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stall_s = stall_s
        self._clock = clock
        self._started = clock()
        self._last: dict[str, float] = {}

    def mark(self, agent: str) -> None:
        """``agent`` finished a batch now."""
        self._last[agent] = self._clock()

    def idle_s(self, agent: str) -> float:
        """Seconds since ``agent``'s last batch (or since the worker started)."""
        return self._clock() - self._last.get(agent, self._started)

    def stalled(
        self,
        groups: Iterable[GroupStatus],
        group: str,
        topics: Callable[[str], str | None],
        mine: Collection[tuple[str, int]],
    ) -> list[str]:
        """The agents that are stuck: ``topics`` maps a topic to the agent reading it (None:
        not this worker's); ``mine`` are this worker's (topic, partition) assignments."""
        waiting = {
            agent
            for g in groups
            if g.group == group
            for p in g.partitions
            if (p.current.lag or 0) > 0
            and (p.current.topic, p.current.partition) in mine
            and (agent := topics(p.current.topic)) is not None
        }
        return sorted(a for a in waiting if self.idle_s(a) >= self.stall_s)
