"""The worker's CRL guard: admit at once while in date; hold while expired; wake on a fresh CRL.

Real CRL files and a fake clock; the wait is on the guard's own event (a task that is not done
until the refresh that loads a fresh CRL), never on a sleep.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from structlog.testing import capture_logs

from gateway.signing import CrlPolicy, CrlWatch, Verifier, init_pki, reissue_crl
from gateway.worker.crl import CrlGuard
from tests.unit.signing.factory import NOW, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pki(tmp_path, clock):
    layout = init_pki(tmp_path / "pki", ["201234567"], now=NOW)
    reissue_crl(layout.root, now=clock.now, valid_for=timedelta(hours=1))
    return layout


def guard_of(pki, clock, **policy) -> CrlGuard:
    watch = CrlWatch(
        Verifier.from_paths([pki.ca_cert], clock=clock),
        [pki.crl],
        policy=CrlPolicy(**policy),
        clock=clock,
        monotonic=clock.monotonic,
    )
    watch.load()
    return CrlGuard(watch)


async def test_admits_at_once_while_in_date(pki, clock):
    guard = guard_of(pki, clock)
    await asyncio.wait_for(guard.admit(), 1)


async def test_holds_while_expired_and_resumes_on_a_fresh_crl(pki, clock):
    guard = guard_of(pki, clock)
    clock.advance(hours=2)
    with capture_logs() as logs:
        held = asyncio.create_task(guard.admit())
        await asyncio.sleep(0)  # let the task run to its wait (a yield, not a delay)
        assert not held.done()
        assert (await guard.refresh()).holds  # a check without a new file changes nothing
        await asyncio.sleep(0)
        assert not held.done()

        reissue_crl(pki.root, now=clock.now, valid_for=timedelta(hours=1))
        clock.advance(seconds=5)
        assert not (await guard.refresh()).holds
        await asyncio.wait_for(held, 5)
    names = [e["event"] for e in logs]
    assert names.count("intake_held_crl_expired") == 1
    assert "intake_resumed_crl_in_date" in names


async def test_failing_open_never_holds(pki, clock):
    guard = guard_of(pki, clock, fail_closed=False)
    clock.advance(hours=2)
    await asyncio.wait_for(guard.admit(), 1)
    assert guard.state().warnings == ("crl_expired",)


async def test_a_held_batch_is_released_by_cancellation_without_passing(pki, clock):
    """Shutdown cancels the wait: admit never returns normally, so nothing is decided."""
    guard = guard_of(pki, clock)
    clock.advance(hours=2)
    held = asyncio.create_task(guard.admit())
    await asyncio.sleep(0)
    held.cancel()
    with pytest.raises(asyncio.CancelledError):
        await held
