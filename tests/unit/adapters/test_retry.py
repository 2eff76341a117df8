"""Retry budget, full-jitter backoff and the circuit breaker, on a fake clock."""

from __future__ import annotations

import pytest

from gateway.adapters.retry import CircuitBreaker, RetryBudget, backoff_delay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_backoff_grows_exponentially_up_to_the_maximum() -> None:
    top = [backoff_delay(n, initial=0.5, maximum=8.0, rand=lambda: 1.0) for n in range(1, 8)]
    assert top == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_is_fully_jittered() -> None:
    assert backoff_delay(4, initial=0.5, maximum=8.0, rand=lambda: 0.0) == 0.0
    assert backoff_delay(4, initial=0.5, maximum=8.0, rand=lambda: 0.25) == 1.0


def budget(clock: Clock, **kw: float) -> RetryBudget:
    args = {
        "max_attempts": 4,
        "max_elapsed_s": 60.0,
        "backoff_initial_s": 1.0,
        "backoff_max_s": 10.0,
        "retry_after_max_s": 30.0,
        **kw,
    }
    return RetryBudget(clock=clock, rand=lambda: 1.0, **args)  # type: ignore[arg-type]


def test_budget_ends_after_max_attempts() -> None:
    b = budget(Clock())
    delays = []
    for _ in range(4):
        b.attempt()
        delays.append(b.next_delay())
    assert delays == [1.0, 2.0, 4.0, None]


def test_budget_ends_when_the_wait_would_pass_the_elapsed_limit() -> None:
    clock = Clock()
    b = budget(clock, max_attempts=100, max_elapsed_s=10.0)
    b.attempt()
    clock.now += 9.5
    assert b.next_delay() is None  # 9.5 + 1.0 > 10
    clock.now -= 9.0
    assert b.next_delay() == 1.0


def test_retry_after_replaces_the_backoff_and_is_capped() -> None:
    b = budget(Clock())
    b.attempt()
    assert b.next_delay(retry_after=7.0) == 7.0
    assert b.next_delay(retry_after=500.0) == 30.0
    assert b.next_delay(retry_after=-3.0) == 0.0


def test_circuit_opens_after_failures_in_a_row_and_probes_after_reset() -> None:
    clock = Clock()
    c = CircuitBreaker(failures=3, reset_s=10.0, clock=clock)
    for _ in range(2):
        c.failure()
    assert c.state == "closed"
    assert c.wait_s() == 0.0
    c.failure()
    assert c.state == "open"
    assert c.wait_s() == pytest.approx(10.0)
    clock.now += 10.0
    assert c.wait_s() == 0.0  # the probe may go
    assert c.state == "half_open"
    assert c.wait_s() > 0  # only one probe at a time
    c.success()
    assert c.state == "closed"
    assert c.wait_s() == 0.0


def test_a_failed_probe_reopens_for_longer() -> None:
    clock = Clock()
    c = CircuitBreaker(failures=1, reset_s=10.0, max_reset_s=25.0, clock=clock)
    c.failure()
    clock.now += 10.0
    assert c.wait_s() == 0.0
    c.failure()
    assert c.state == "open"
    assert c.open_for == 20.0
    clock.now += 20.0
    assert c.wait_s() == 0.0
    c.failure()
    assert c.open_for == 25.0  # capped
    assert c.opened_count == 3


def test_a_success_resets_the_count_of_failures() -> None:
    c = CircuitBreaker(failures=2, reset_s=1.0, clock=Clock())
    c.failure()
    c.success()
    c.failure()
    assert c.state == "closed"
