"""The adapter runner: consume an adapter's topic, deliver each message, settle it, commit.

One runner per adapter (``gateway adapters run NAME``), in the consumer group
``gateway-adapter-<name>``, so operators see each adapter's lag on its own. For each record:

1. decode it once (:func:`decode_adapter_record`);
2. deliver it through the adapter, retrying retriable failures with full-jitter backoff (or
   the target's ``Retry-After``) within the retry budget, behind a circuit breaker shared by
   the runner's partitions;
3. settle it: ``delivered`` event (and notices to the bodies the receipt names), or after the
   budget (or at once for a non-retriable failure) a dead letter and a ``delivery_failed``
   event, all acknowledged by Kafka (acks=all, idempotent producer);
4. commit the partition's offset only after its messages are settled.

A crash before the commit redelivers the uncommitted messages; the adapter sends the same
idempotency key, so the target applies each once. Order is kept within a partition (a case's
messages share one); partitions are delivered concurrently (``concurrency``).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from gateway.adapters.base import Adapter, DeliveryReceipt
from gateway.adapters.dlq import dead_letter_output
from gateway.adapters.message import AdapterMessage, decode_adapter_record
from gateway.adapters.retry import CircuitBreaker, RetryBudget
from gateway.exceptions import DeliveryError, GatewayError, MessageError
from gateway.kafka import KafkaConnection, start_client
from gateway.metrics import RunnerMetrics
from gateway.pipeline.outputs import Output, Outputs
from gateway.reasons import Reason
from gateway.redaction import shown_code
from gateway.schemas import SchemaRegistry
from gateway.topics.names import adapter_topic
from gateway.worker.delivery import Deliverer

__all__ = ["AdapterRunner", "group_id"]

log = structlog.get_logger(__name__)


def group_id(adapter: str) -> str:
    """The consumer group of adapter ``adapter``'s runner."""
    return f"gateway-adapter-{adapter}"


@dataclasses.dataclass
class _Settled:
    outputs: list[Output]
    outcome: str  # delivered, not_applicable or dead_letters (the key of ``counts``)
    first: datetime  # the first attempt (the metrics' delivery time starts here)

    @property
    def metric_outcome(self) -> str:
        return "dead_letter" if self.outcome == "dead_letters" else self.outcome


class AdapterRunner:
    """Runs one adapter over its topic until :meth:`stop` (see the module's docstring)."""

    def __init__(
        self,
        adapter: Adapter,
        *,
        connection: KafkaConnection,
        registry: SchemaRegistry,
        outputs: Outputs,
        gateway_org: str,
        instance: str | None = None,
        fetch_max: int = 100,
        metrics: RunnerMetrics | None = None,
    ) -> None:
        self.adapter = adapter
        # the topic, group and dead letters are the instance's: one adapter class may serve
        # several instances (two portals, a test's private copy), each with its own settings
        self.name = instance or adapter.name
        self.settings = adapter.settings
        self.connection = connection
        self.registry = registry
        self.outputs = outputs
        self.gateway_org = gateway_org
        self.fetch_max = fetch_max
        self.deliverer = Deliverer(connection, client_id=f"{group_id(self.name)}-out")
        self.breaker = CircuitBreaker(
            failures=self.settings.circuit_failures, reset_s=self.settings.circuit_reset_s
        )
        self.counts: dict[str, int] = {}
        # one registry per process, shared by its runners (``build_runners`` passes it)
        self.metrics = (metrics or RunnerMetrics()).adapter(
            self.name, lambda: self.breaker.state == "open"
        )
        self._stop = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self.ready = asyncio.Event()

    def stop(self) -> None:
        """Ask the runner to stop after the attempts in flight (nothing unsettled commits)."""
        self._stop.set()

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    # --- the loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Consume and deliver until stopped."""
        budget_s = self.settings.retry_max_elapsed_s + self.settings.timeout_s
        consumer = self.connection.consumer(
            adapter_topic(self.name),
            group_id=group_id(self.name),
            client_id=group_id(self.name),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=int((budget_s + 120) * 1000),
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
            fetch_max_bytes=8 * 1024 * 1024,
            max_partition_fetch_bytes=6 * 1024 * 1024,
        )
        await self.deliverer.start()
        await start_client(self.connection, consumer)
        log.info("adapter_runner_started", adapter=self.name, group=group_id(self.name))
        try:
            async with self.adapter:
                self.ready.set()
                while not self._stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=self.fetch_max)
                    if batch:
                        await asyncio.gather(
                            *(self._partition(consumer, tp, recs) for tp, recs in batch.items())
                        )
        finally:
            await consumer.stop()
            await self.deliverer.stop()
            log.info("adapter_runner_stopped", adapter=self.name, counts=dict(self.counts))

    async def _partition(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord[Any, Any]],
    ) -> None:
        async with self._slots:
            settled_to = None
            for record in records:
                settled = await self._settle(record)
                if settled is None:  # stopping: leave the rest for the next owner
                    break
                await self.deliverer.deliver(settled.outputs)
                settled_to = record.offset + 1
                self._count(settled.outcome)
                elapsed = (datetime.now(UTC) - settled.first).total_seconds()
                self.metrics.settled(settled.metric_outcome, elapsed)
            if settled_to is not None:
                try:
                    await consumer.commit({tp: settled_to})
                except (CommitFailedError, KafkaError) as exc:
                    # rebalanced away: the new owner redelivers; the idempotency key dedupes
                    log.warning(
                        "adapter_commit_failed", adapter=self.name, error=type(exc).__name__
                    )

    # --- one message ----------------------------------------------------------------------
    async def _settle(self, record: ConsumerRecord[Any, Any]) -> _Settled | None:
        headers = tuple((k, bytes(v)) for k, v in record.headers or ())
        try:
            message = decode_adapter_record(
                self.registry,
                record.value or b"",
                headers=headers,
                key=record.key,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
        except MessageError as exc:
            message = AdapterMessage(
                kind="unreadable",
                record={},
                idempotency_key=f"{record.topic}:{record.partition}:{record.offset}",
                case_id="",
                message_id="",
                headers={},
                raw=record.value or b"",
                key=record.key,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            now = datetime.now(UTC)
            return self._failed(message, exc, attempts=0, first=now, last=now, headers=headers)
        return await self._deliver(message, headers)

    async def _deliver(
        self, message: AdapterMessage, headers: tuple[tuple[str, bytes], ...]
    ) -> _Settled | None:
        s = self.settings
        budget = RetryBudget(
            max_attempts=s.retry_max_attempts,
            max_elapsed_s=s.retry_max_elapsed_s,
            backoff_initial_s=s.backoff_initial_s,
            backoff_max_s=s.backoff_max_s,
            retry_after_max_s=s.retry_after_max_s,
        )
        first = datetime.now(UTC)
        while True:
            wait = self.breaker.wait_s()
            while wait > 0:
                if await self._sleep(wait):
                    return None
                wait = self.breaker.wait_s()
            attempt = budget.attempt()
            try:
                receipt = await asyncio.wait_for(self.adapter.deliver(message), s.timeout_s * 2)
            except DeliveryError as exc:
                error: GatewayError = exc
            except TimeoutError:
                error = DeliveryError(
                    f"adapter {self.name} took longer than {s.timeout_s * 2} s",
                    retriable=True,
                    code="timeout",
                )
            except Exception as exc:
                log.exception("adapter_bug", adapter=self.name, kind=message.kind)
                error = DeliveryError(
                    f"adapter {self.name} raised {type(exc).__name__}: {exc}",
                    retriable=True,
                    code="adapter_error",
                )
                error.reason = Reason.INTERNAL
            else:
                self.breaker.success()
                return self._delivered(message, receipt, attempt, first)
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None or not error.retriable:
                self.breaker.success()  # the target answered: it is up
            else:
                self.breaker.failure()
            delay = budget.next_delay(retry_after) if error.retriable else None
            log.warning(
                "adapter_attempt_failed",
                adapter=self.name,
                message_id=message.message_id,
                kind=message.kind,
                attempt=attempt,
                code=shown_code(getattr(error, "code", None)),
                status=getattr(error, "status", None),
                retriable=error.retriable,
                retry_in_s=None if delay is None else round(delay, 3),
                circuit=self.breaker.state,
            )
            if delay is None:
                return self._failed(
                    message,
                    error,
                    attempts=attempt,
                    first=first,
                    last=datetime.now(UTC),
                    headers=headers,
                )
            self._count("retries")
            self.metrics.retry()
            if await self._sleep(delay):
                return None

    async def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless asked to stop; True when stopping."""
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            return False
        return True

    # --- settling -------------------------------------------------------------------------
    def _status(
        self, message: AdapterMessage, stage: str, detail: dict[str, str]
    ) -> dict[str, Any]:
        deadline = message.deadline
        if message.kind == "Status":
            deadline = message.record.get("deadline")
        return self.outputs.status(
            case_id=message.case_id or message.message_id,
            message_id=message.message_id,
            stage=stage,
            at=datetime.now(UTC),
            actor=self.gateway_org,
            deadline=deadline,
            detail={"adapter": self.name, "type": message.kind, **detail},
            event_key=f"{message.idempotency_key}.{stage}.{self.name}",
        )

    def _delivered(
        self, message: AdapterMessage, receipt: DeliveryReceipt, attempts: int, first: datetime
    ) -> _Settled:
        detail = {"outcome": receipt.outcome, "attempts": str(attempts), **receipt.detail}
        if receipt.remote_id:
            detail["remote_id"] = receipt.remote_id
        log.info(
            "adapter_delivered",
            adapter=self.name,
            message_id=message.message_id,
            kind=message.kind,
            outcome=receipt.outcome,
            attempts=attempts,
        )
        if receipt.outcome != "delivered" or not message.case_id:
            return _Settled([], receipt.outcome, first)
        status = self._status(message, "delivered", detail)
        outputs = [self.outputs.publish(status)]
        outputs += [self.outputs.notice(org, status) for org in receipt.notify]
        return _Settled(outputs, "delivered", first)

    def _failed(
        self,
        message: AdapterMessage,
        error: GatewayError,
        *,
        attempts: int,
        first: datetime,
        last: datetime,
        headers: tuple[tuple[str, bytes], ...],
    ) -> _Settled:
        log.error(
            "adapter_dead_letter",
            adapter=self.name,
            message_id=message.message_id,
            kind=message.kind,
            attempts=attempts,
            reason=str(error.reason),
            code=shown_code(getattr(error, "code", None)),
        )
        outputs = [
            dead_letter_output(
                self.name,
                message,
                error,
                attempts=attempts,
                first_attempt=first,
                last_attempt=last,
                original_headers=headers,
            )
        ]
        if message.case_id:
            detail = {
                "reason": str(error.reason),
                "code": str(getattr(error, "code", None) or ""),
                "attempts": str(attempts),
            }
            outputs.append(self.outputs.publish(self._status(message, "delivery_failed", detail)))
        return _Settled(outputs, "dead_letters", first)
