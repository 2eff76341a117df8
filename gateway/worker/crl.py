"""The worker's CRL guard: reload the CRLs off the event loop, hold intake while they expired.

:meth:`CrlGuard.refresh` runs from a timer every ``GATEWAY_CRL_CHECK_S``: the check (stat, and
a parse only of a changed file) runs in a thread, then the guard wakes a held intake when the
CRLs are in date again. :meth:`CrlGuard.admit` runs before every intake batch: it returns at
once while the CRLs are in date (a comparison of two datetimes, no I/O); while they are
expired under the fail-closed rule it waits for that wake-up. The held batch is not decided,
so nothing is produced and its offsets stay uncommitted; it is processed, with the new CRL,
as soon as a check loads one. Shutting down while held cancels the wait, and the batch is
replayed after the restart (``stream_ack_cancelled_tasks=False``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from gateway.config import Settings
from gateway.signing import CrlState, CrlWatch, Verifier

__all__ = ["CrlGuard", "crl_guard"]

log = structlog.get_logger(__name__)


class CrlGuard:
    """A :class:`CrlWatch` for an asyncio process (see the module's docstring)."""

    def __init__(self, watch: CrlWatch) -> None:
        self.watch = watch
        self._in_date = asyncio.Event()
        self._in_date.set()

    def state(self) -> CrlState:
        """The CRLs in force now (readiness, metrics); no I/O."""
        return self.watch.state()

    async def refresh(self) -> CrlState:
        """Check the CRL files in a thread; wake a held intake if the CRLs are in date."""
        state = await asyncio.to_thread(self.watch.check)
        if not state.holds:
            self._in_date.set()
        return state

    async def admit(self) -> None:
        """Return when an intake batch may be verified; wait while the CRLs hold intake."""
        while self.watch.holds():
            if self._in_date.is_set():
                self._in_date.clear()
                state = self.watch.state()
                log.error(
                    "intake_held_crl_expired",
                    next_update=state.next_update.isoformat() if state.next_update else None,
                    file=state.next_update_file,
                    grace_s=state.grace.total_seconds(),
                )
            await self._in_date.wait()
            if not self.watch.holds():
                log.info("intake_resumed_crl_in_date")


def crl_guard(settings: Settings, verifier: Verifier) -> CrlGuard | None:
    """Load the settings' CRLs into ``verifier`` and watch them; None without CRL files.

    A CRL file that cannot be read or verified raises ConfigError naming it (the worker does
    not start); one past its nextUpdate loads, and the guard holds intake.
    """
    if not settings.crl_paths:
        return None
    offset = timedelta(seconds=settings.clock_offset_s)
    watch = CrlWatch(
        verifier,
        settings.crl_paths,
        policy=settings.crl_policy,
        clock=lambda: datetime.now(UTC) + offset,  # the worker's clock (GatewayWorker.now)
    )
    watch.load()
    return CrlGuard(watch)
