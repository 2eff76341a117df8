"""Is a Kafka broker answering? Used by ``gateway kafka up``, the fixtures and ``/readyz``."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

__all__ = ["broker_answers", "wait_for_broker"]


async def broker_answers(bootstrap: str, timeout: float = 3.0) -> bool:
    """True when a broker at ``bootstrap`` answers a metadata request within ``timeout``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.describe_cluster(), timeout)
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
    return True


async def wait_for_broker(bootstrap: str, timeout: float = 60.0) -> float:
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
            if await broker_answers(bootstrap, timeout=min(3.0, timeout)):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise TimeoutError(
                    f"no Kafka broker answered at {bootstrap} within {timeout:.0f} s"
                )
            await asyncio.sleep(interval)
            interval = min(interval * 2, 1.0)
    finally:
        quiet.setLevel(level)
