"""Retry budget, backoff with full jitter, and a circuit breaker: pure, with an injectable clock.

The runner asks :class:`RetryBudget` how long to wait before the next attempt (or whether the
budget is spent) and :class:`CircuitBreaker` whether the target may be called now. Nothing here
sleeps; the runner does, so tests drive these with a fake clock.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from typing import Literal

__all__ = ["CircuitBreaker", "RetryBudget", "backoff_delay"]

Clock = Callable[[], float]
CircuitState = Literal["closed", "open", "half_open"]


def backoff_delay(
    attempt: int, *, initial: float, maximum: float, rand: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(maximum, initial * 2**(attempt-1))].

    Full jitter spreads the retries of many runners after a shared outage, so the target is not
    hit by all of them at once when it comes back.
    """
    ceiling = min(maximum, initial * (2 ** max(0, attempt - 1)))
    return float(ceiling * rand())


@dataclasses.dataclass
class RetryBudget:
    """The attempts and the time one message may spend before it becomes a dead letter."""

    max_attempts: int
    max_elapsed_s: float
    backoff_initial_s: float
    backoff_max_s: float
    retry_after_max_s: float
    clock: Clock = time.monotonic
    rand: Callable[[], float] = random.random
    attempts: int = 0
    started: float | None = None

    def attempt(self) -> int:
        """Count an attempt about to be made; returns its number (1-based)."""
        if self.started is None:
            self.started = self.clock()
        self.attempts += 1
        return self.attempts

    @property
    def elapsed_s(self) -> float:
        return 0.0 if self.started is None else self.clock() - self.started

    def next_delay(self, retry_after: float | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None when the budget is spent.

        A target's ``Retry-After`` is honoured (up to ``retry_after_max_s``) instead of the
        backoff; a wait that would end past the elapsed budget ends the retries now.
        """
        if self.attempts >= self.max_attempts:
            return None
        if retry_after is not None:
            delay = min(max(0.0, retry_after), self.retry_after_max_s)
        else:
            delay = backoff_delay(
                self.attempts,
                initial=self.backoff_initial_s,
                maximum=self.backoff_max_s,
                rand=self.rand,
            )
        if self.elapsed_s + delay > self.max_elapsed_s:
            return None
        return delay


@dataclasses.dataclass
class CircuitBreaker:
    """Closed → open after ``failures`` retriable failures in a row; open → half-open after
    ``reset_s``, when one probe may pass; the probe's success closes it, its failure re-opens
    it for twice as long (up to ``max_reset_s``)."""

    failures: int
    reset_s: float
    max_reset_s: float = 300.0
    clock: Clock = time.monotonic
    state: CircuitState = "closed"
    in_a_row: int = 0
    opened_at: float = 0.0
    open_for: float = 0.0
    probing: bool = False
    opened_count: int = 0

    def wait_s(self) -> float:
        """0 when a call may go now; else how long to wait before asking again."""
        if self.state == "closed":
            return 0.0
        if self.state == "open":
            remaining = self.opened_at + self.open_for - self.clock()
            if remaining > 0:
                return remaining
            self.state = "half_open"
        if self.probing:  # half-open: one probe at a time, the others wait for its outcome
            return min(1.0, self.reset_s)
        self.probing = True
        return 0.0

    def success(self) -> None:
        self.state, self.in_a_row, self.probing = "closed", 0, False

    def failure(self) -> None:
        self.in_a_row += 1
        if self.state == "half_open":
            self._open(min(self.max_reset_s, max(self.open_for, self.reset_s) * 2))
        elif self.state == "closed" and self.in_a_row >= self.failures:
            self._open(self.reset_s)
        self.probing = False

    def _open(self, duration: float) -> None:
        self.state, self.opened_at, self.open_for = "open", self.clock(), duration
        self.opened_count += 1
