"""Message rates for the throughput sparkline: a ring buffer of counter samples; pure.

The worker samples its monotonic counters (``received``, ``accepted``, ``rejected``,
``routed``) on a timer; :meth:`Throughput.series` turns consecutive samples into rates per
second. A counter that went down means the process restarted, so its rate is counted from 0.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping
from typing import Any

__all__ = ["COUNTERS", "Throughput"]

COUNTERS = ("received", "accepted", "rejected", "routed")


class Throughput:
    """The last ``size`` samples of the counters, and the rates between them.

    Not thread-safe; the worker samples and reads it from its one event loop.
    """

    def __init__(self, size: int = 360) -> None:
        if size < 2:
            raise ValueError(f"a throughput buffer needs at least 2 samples, got {size}")
        self._samples: deque[tuple[float, dict[str, float]]] = deque(maxlen=size)

    def __len__(self) -> int:
        return len(self._samples)

    def sample(self, at: float, counters: Mapping[str, float]) -> None:
        """Keep the counters' values at ``at`` (seconds since the epoch); the oldest drop out."""
        self._samples.append((at, {name: float(value) for name, value in counters.items()}))

    def series(self) -> dict[str, Any]:
        """Rates per second between consecutive samples, JSON-ready.

        ``{"at": [t, ...], "rates": {name: [r, ...]}, "current": {name: r}, "totals": {name: v}}``
        where each ``at`` is the later time of a pair. Pairs whose time does not advance are
        skipped; a counter missing from a sample counts as 0 there.
        """
        names = sorted({n for _, counters in self._samples for n in counters} | set(COUNTERS))
        times: list[float] = []
        rates: dict[str, list[float]] = {name: [] for name in names}
        samples = list(self._samples)
        for (t0, before), (t1, after) in itertools.pairwise(samples):
            elapsed = t1 - t0
            if elapsed <= 0:
                continue
            times.append(t1)
            for name in names:
                old, new = before.get(name, 0.0), after.get(name, 0.0)
                grown = new - old if new >= old else new  # went down: restarted from 0
                rates[name].append(round(grown / elapsed, 3))
        last = samples[-1][1] if samples else {}
        return {
            "at": times,
            "rates": rates,
            "current": {name: (series[-1] if series else 0.0) for name, series in rates.items()},
            "totals": {name: last.get(name, 0.0) for name in names},
        }
