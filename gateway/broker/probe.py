"""Is a Kafka broker answering? Used by ``gateway kafka up``, the fixtures and ``/readyz``."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka.errors import KafkaError

from gateway.kafka import KafkaConnection, parse_bootstrap

__all__ = ["broker_answers", "wait_for_broker"]


def _connection(target: KafkaConnection | str) -> KafkaConnection:
    return (
        target if isinstance(target, KafkaConnection) else KafkaConnection(parse_bootstrap(target))
    )


async def broker_answers(target: KafkaConnection | str, timeout: float = 3.0) -> bool:
    """True when the broker answers a metadata request of ``target`` within ``timeout``
    (a connection, or a bootstrap address for a PLAINTEXT broker)."""
    admin = _connection(target).admin(request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.describe_cluster(), timeout)
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
    return True


async def wait_for_broker(target: KafkaConnection | str, timeout: float = 60.0) -> float:
    """Wait until the broker answers; return the seconds waited, or raise ``TimeoutError``.

    The broker is another process with no way to notify us, so this polls with a growing
    interval (0.1 s to 1 s); each poll is a real metadata request.
    """
    start = time.monotonic()
    interval = 0.1
    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # "connection refused" is expected while it starts
    try:
        while True:
            if await broker_answers(target, timeout=min(3.0, timeout)):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise TimeoutError(
                    f"no Kafka broker answered {_connection(target).describe()} "
                    f"within {timeout:.0f} s"
                )
            await asyncio.sleep(interval)
            interval = min(interval * 2, 1.0)
    finally:
        quiet.setLevel(level)
