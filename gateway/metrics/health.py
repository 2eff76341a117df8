"""Liveness and readiness: what ``/healthz`` and ``/readyz`` answer, and a cheap broker probe.

``/healthz`` is 200 while the process serves HTTP at all (a restart is the only cure for
anything else). ``/readyz`` is 200 only when the broker answers, the CRLs in force do not hold
intake (fail closed on ``crl_expired``) and the process has work assigned; otherwise 503 with
a machine-readable reason, so a load balancer or an orchestrator takes the process out of
rotation without restarting it. Problems that do not stop the work (a refused CRL file while
its last good copy is in date: ``crl_invalid``; an expired CRL when failing open) are listed
under ``warnings`` of a 200 answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.broker import broker_answers
from gateway.kafka import KafkaConnection
from gateway.signing import CrlState

__all__ = ["BrokerProbe", "Readiness", "readiness"]


@dataclasses.dataclass(frozen=True, slots=True)
class Readiness:
    """The answer of ``/readyz``: an HTTP status and its JSON body."""

    status: int
    body: dict[str, object]


def readiness(
    *,
    broker: bool,
    assigned: bool,
    stalled: Sequence[str] = (),
    stall_s: float = 0.0,
    crl: CrlState | None = None,
) -> Readiness:
    """Ready when the broker answers, the CRLs do not hold intake, work is assigned and no
    agent is stuck with input waiting; else 503 naming the first cause (``stalled`` lists
    the stuck agents; ``crl`` is the CRLs' state, None when no CRL is configured)."""
    if not broker:
        return Readiness(503, {"status": "not_ready", "reason": "broker_unavailable"})
    if crl is not None and crl.holds:
        return Readiness(503, _crl_expired(crl))
    if not assigned:
        return Readiness(503, {"status": "not_ready", "reason": "no_assignment"})
    if stalled:
        return Readiness(
            503,
            {
                "status": "not_ready",
                "reason": "stalled",
                "agents": list(stalled),
                "message": f"input is waiting and {', '.join(stalled)} finished no batch "
                f"for {stall_s:.0f} s; see docs/operations.md",
            },
        )
    warnings = crl.warnings if crl is not None else ()
    if warnings:
        return Readiness(200, {"status": "ready", "warnings": list(warnings)})
    return Readiness(200, {"status": "ready"})


def _crl_expired(crl: CrlState) -> dict[str, object]:
    next_update = crl.next_update.isoformat() if crl.next_update else None
    return {
        "status": "not_ready",
        "reason": "crl_expired",
        "next_update": next_update,
        "file": crl.next_update_file,
        "grace_s": crl.grace.total_seconds(),
        "message": f"the CRL {crl.next_update_file} was due for renewal at {next_update} "
        f"(grace {crl.grace.total_seconds():.0f} s); intake is held, nothing is lost, until a "
        "fresh CRL is in place; see docs/operations.md#crl_expired",
    }


class BrokerProbe:
    """Does the broker answer a metadata request? Cached for ``ttl`` seconds.

    Scrapers and orchestrators may call ``/readyz`` often and concurrently; the cache and the
    lock keep that to at most one metadata request per ``ttl``, each bounded by ``timeout``,
    so a dead broker makes ``/readyz`` slow by ``timeout`` at worst, never blocks it.
    """

    def __init__(
        self,
        connection: KafkaConnection | None,
        *,
        ttl: float = 2.0,
        timeout: float = 1.0,
        check: Callable[[KafkaConnection, float], Awaitable[bool]] = broker_answers,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self.ttl = ttl
        self.timeout = timeout
        self._check = check
        self._clock = clock
        self._lock = asyncio.Lock()
        self._answer = False
        self._checked_at: float | None = None

    async def answers(self) -> bool:
        """The cached answer, refreshed when older than ``ttl``."""
        async with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self.ttl:
                self._answer = self.connection is not None and await self._check(
                    self.connection, self.timeout
                )
                self._checked_at = self._clock()
            return self._answer
