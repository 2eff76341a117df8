"""The broker a benchmark runs on: the one given, or the project's local broker (started if
it is down)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gateway.broker import LocalKafka, broker_answers

ROOT = Path(__file__).resolve().parents[1]


def bench_bootstrap(given: str | None) -> str:
    """``given``, or the local broker's address; exits when no Kafka answers there."""
    bootstrap = given
    if bootstrap is None:
        broker = LocalKafka(ROOT / ".gateway")
        broker.start()
        bootstrap = broker.bootstrap
    if not asyncio.run(broker_answers(bootstrap)):
        raise SystemExit(f"no Kafka answers at {bootstrap}")
    return bootstrap
