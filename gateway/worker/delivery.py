"""Producing the pipeline's outputs with acks=all before any input offset is committed.

The producer is idempotent (no duplicates from its own retries). :func:`deliver` returns only
when Kafka acknowledged every output; failures are retried with backoff, because an input
whose outputs were not acknowledged must not be committed. A batch is shielded from
cancellation: a stopping worker finishes it, or exits without committing (``os._exit``), so a
shutdown in the middle of a batch can never commit inputs whose outputs are not in Kafka.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence

import structlog
from aiokafka import AIOKafkaProducer

from gateway.kafka import KafkaConnection, start_client
from gateway.pipeline import Output
from gateway.worker.tables import key_partitioner

__all__ = ["EXIT_UNDELIVERED", "Deliverer", "deliver_once", "run_shielded"]

log = structlog.get_logger(__name__)

EXIT_UNDELIVERED = 75  # EX_TEMPFAIL: restart me; nothing was committed
_BACKOFF = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
_STOP_GRACE_S = 30.0


class Deliverer:
    """The worker's one output producer (acks=all, idempotent), shared by agents and timers."""

    def __init__(self, connection: KafkaConnection, *, client_id: str) -> None:
        self.connection = connection
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> AIOKafkaProducer:
        """Start the producer on the running loop (once); agents and timers share it."""
        async with self._starting:
            if self._producer is None:
                producer = self.connection.producer(
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=0,  # a batch waits for its acks: linger would add to every batch
                    max_request_size=6 * 1024 * 1024,
                    max_batch_size=1024 * 1024,
                    partitioner=key_partitioner,
                )
                await start_client(self.connection, producer)
                self._producer = producer
            return self._producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def deliver(self, outputs: Sequence[Output]) -> None:
        """Produce ``outputs``; return when every one is acknowledged (retrying failures)."""
        producer = self._producer or await self.start()
        pending = list(outputs)
        attempt = 0
        while pending:
            futures = [
                await producer.send(o.topic, o.value, key=o.key, headers=list(o.headers))
                for o in pending
            ]
            results = await asyncio.gather(*futures, return_exceptions=True)
            failed = [o for o, r in zip(pending, results, strict=True) if isinstance(r, Exception)]
            if not failed:
                return
            error = next(r for r in results if isinstance(r, Exception))
            delay = _BACKOFF[min(attempt, len(_BACKOFF) - 1)]
            log.error(
                "delivery_retry",
                failed=len(failed),
                error=type(error).__name__,
                detail=str(error),
                retry_in_s=delay,
            )
            attempt += 1
            pending = failed
            await asyncio.sleep(delay)  # backoff before retrying, not synchronisation


async def deliver_once(
    connection: KafkaConnection, outputs: Sequence[Output], *, client_id: str
) -> None:
    """Produce ``outputs`` with a producer of their own (acks=all, idempotent), then close it:
    for commands that write a few records once (a replay, a report), not for the worker."""
    deliverer = Deliverer(connection, client_id=client_id)
    try:
        await deliverer.deliver(outputs)
    finally:
        await deliverer.stop()


async def run_shielded(work: Callable[[], Awaitable[None]], what: str) -> None:
    """Run ``work`` to completion even if the caller is cancelled (a stopping worker).

    If it cannot finish within the grace period, or fails, the process exits at once: the
    inputs of the batch stay uncommitted and are processed again after the restart.
    """
    task = asyncio.ensure_future(work())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        try:
            await asyncio.wait_for(asyncio.shield(task), _STOP_GRACE_S)
        except BaseException:  # noqa: BLE001 -- any failure here must not commit the batch
            log.critical("batch_abandoned_exiting", batch=what)
            os._exit(EXIT_UNDELIVERED)
        raise
    except Exception as exc:  # noqa: BLE001 -- whatever failed, the batch is not committed
        log.critical("batch_failed_exiting", batch=what, error=type(exc).__name__)
        os._exit(EXIT_UNDELIVERED)
