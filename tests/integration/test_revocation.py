"""Revocation while everything runs (issue 13, item 9), on the real broker with a real worker.

1. A body's certificate is revoked with ``gateway pki revoke`` (a subprocess) while the worker
   runs with ``GATEWAY_CRL_CHECK_S=0.5``; the body keeps sending, and a request of its is
   rejected ``certificate_revoked`` within ``BOUND_S`` of the command's return. Requests may
   still be accepted only in the first ``CHECK_S + 1`` seconds (decided before the reload).
2. A worker started on a CRL past its nextUpdate answers ``/readyz`` 503 ``crl_expired`` and
   holds intake; a request sent meanwhile is accepted only after a fresh CRL is in place
   (its receipt is made after that moment): nothing was lost or rejected.

Waiting is on events (the answer in the body's inbox); only the worker's own signals (its
``/readyz``, its log) are polled with a deadline, as an orchestrator would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from gateway.client import AgencyClient, Sent
from gateway.kafka import start_client
from gateway.signing import reissue_crl
from gateway.signing.tls import revoked_principals
from gateway.topics.names import REJECTED, inbox_topic, outbox_topic
from tests.conftest import Broker
from tests.integration.exchange import (
    Exchange,
    WorkerProcess,
    make_exchange,
    read_until,
    sample,
    scrape,
)

pytestmark = pytest.mark.integration

CHECK_S = 0.5
BOUND_S = 30.0  # CHECK_S plus a batch, a thread hop and the inbox round trip; headroom for a
# loaded 2-core CI machine (a round trip took over 10 s there at load 6)


class Answers:
    """Every answer to one body, read by background tasks, awaitable per sent message.

    A Receipt is in the body's inbox and names the message id. A message that could not be
    authenticated (a revoked certificate) is rejected only to ``exchange.rejected``, which no
    body reads (docs/wire-format.md §9): the harness reads it there and finds the Rejection
    by the outbox partition and offset it names.
    """

    def __init__(self, client: AgencyClient, ex: Exchange) -> None:
        self._client = client
        self._ex = ex
        self._items: dict[object, tuple[str, dict[str, Any], float]] = {}
        self._changed = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Answers:
        # the rejection topic from its current end, fixed before anything is sent
        harness = self._ex.kafka
        self._rejected = harness.consumer(enable_auto_commit=False)
        await start_client(harness, self._rejected)
        parts = self._rejected.partitions_for_topic(REJECTED) or set()
        if not parts:
            await self._rejected._client.force_metadata_update()
            parts = self._rejected.partitions_for_topic(REJECTED) or set()
        tps = [TopicPartition(REJECTED, p) for p in sorted(parts)]
        self._rejected.assign(tps)
        await self._rejected.seek_to_end(*tps)
        for tp in tps:
            await self._rejected.position(tp)
        self._tasks = [
            asyncio.create_task(self._read_inbox()),
            asyncio.create_task(self._read_rejections()),
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _note(self, kind: str, record: dict[str, Any], keys: list[object]) -> None:
        async with self._changed:
            for key in keys:
                if key is not None:
                    self._items[key] = (kind, record, time.time())
            self._changed.notify_all()

    async def _read_inbox(self) -> None:
        async with contextlib.aclosing(self._client.inbox(follow=True, idle_ms=200)) as items:
            async for item in items:
                if item.message is None or item.message.kind not in ("Receipt", "Rejection"):
                    continue
                record = dict(item.message.record)
                keys: list[object] = [record.get("message_id")]
                if item.message.kind == "Rejection":
                    keys.append((record["source_partition"], record["source_offset"]))
                await self._note(item.message.kind, record, keys)

    async def _read_rejections(self) -> None:
        outbox = outbox_topic(self._client.org)
        try:
            async for rec in self._rejected:
                record = dict(self._ex.registry.decode_single(rec.value).record)
                if record["source_topic"] == outbox:
                    key = (record["source_partition"], record["source_offset"])
                    await self._note("Rejection", record, [key])
        finally:
            await self._rejected.stop()

    async def outcome(self, sent: Sent, timeout: float) -> tuple[str, dict[str, Any], float]:
        """The kind and record of ``sent``'s Receipt or Rejection, and when it arrived."""
        keys = (sent.message_id, (sent.partition, sent.offset))

        async def wait() -> tuple[str, dict[str, Any], float]:
            async with self._changed:
                await self._changed.wait_for(lambda: any(k in self._items for k in keys))
                return next(self._items[k] for k in keys if k in self._items)

        return await asyncio.wait_for(wait(), timeout)


def _get(port: int, path: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, dict(json.load(r))
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.load(exc))


async def _poll(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll a foreign process's signal until ``probe()`` is truthy; its value."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = await asyncio.to_thread(probe)
        if last:
            return last
        await asyncio.sleep(0.2)  # polling another process's state: no event to await
    raise AssertionError(f"{what} not seen in {timeout:.0f} s; last: {last!r}")


def _readyz_is(worker: WorkerProcess, status: int) -> Callable[[], dict[str, Any] | None]:
    def probe() -> dict[str, Any] | None:
        code, body = _get(worker.port, "/readyz")
        return body if code == status else None

    return probe


@pytest.fixture
async def exchange(tmp_path: Path, kafka_broker: Broker) -> AsyncIterator[Exchange]:
    root = tmp_path / "exchange"
    root.mkdir()
    ex = await make_exchange(root, kafka_broker, uuid.uuid4().hex[:12])
    yield ex
    ex.stop_workers()


def _revoke(ex: Exchange, org: str, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "pki", "revoke", org,
         "--reason", "keyCompromise", "--out", str(ex.pki.root), *more],
        env=ex.env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_a_body_revoked_while_the_worker_runs_is_rejected(exchange: Exchange) -> None:
    ex = exchange
    worker = ex.start_worker(GATEWAY_CRL_CHECK_S=str(CHECK_S))
    async with ex.client(ex.R) as r, Answers(r, ex) as answers:
        before = await r.send("Request", ex.request())
        kind, _, _ = await answers.outcome(before, timeout=90)
        assert kind == "Receipt"

        # the signing key only: the body keeps its Kafka identity and reads its rejections
        done = _revoke(ex, ex.R, "--signing-only")
        assert done.returncode == 0, done.stderr
        assert "revoked" in done.stdout
        assert "number 2" in done.stdout  # init wrote CRL number 1
        written = ex.pki.crl.stat().st_mtime  # the new CRL is in place (same host, same clock)
        returned = time.time()

        outcomes: list[tuple[str, float]] = []  # (kind, seconds after the CRL was written)
        while True:
            sent = await r.send("Request", ex.request())
            kind, record, arrived = await answers.outcome(sent, timeout=BOUND_S)
            outcomes.append((kind, arrived - written))
            if kind == "Rejection":
                break
            assert arrived - written < CHECK_S + 1.0, outcomes  # only before the reload
        assert record["reason"] == "certificate_revoked"
        took = outcomes[-1][1]
        assert took < BOUND_S, outcomes
        print(
            f"\nrevocation in effect {took:.2f} s after the CRL was written "
            f"({arrived - returned:.2f} s after `gateway pki revoke` returned): {outcomes}"
        )

        again = await r.send("Request", ex.request())
        kind, record, _ = await answers.outcome(again, timeout=BOUND_S)
        assert (kind, record["reason"]) == ("Rejection", "certificate_revoked")
    assert _get(worker.port, "/readyz")[0] == 200
    seen = scrape(worker.port)
    assert seen[sample("gateway_crl_revoked_certificates")] == 1.0
    assert seen[sample("gateway_crl_reload_failing")] == 0.0


async def test_a_crl_past_next_update_holds_intake_until_a_fresh_one(exchange: Exchange) -> None:
    ex = exchange
    past = datetime.now(UTC) - timedelta(hours=2)
    reissue_crl(ex.pki.root, now=past, valid_for=timedelta(hours=1))  # nextUpdate 1 h ago
    worker = ex.start_worker(GATEWAY_CRL_CHECK_S=str(CHECK_S))

    held = await _poll("/readyz 503", _readyz_is(worker, 503), timeout=90)
    assert held["reason"] == "crl_expired"
    assert held["file"] == str(ex.pki.crl)
    assert held["next_update"] == (past + timedelta(hours=1)).replace(microsecond=0).isoformat()
    assert scrape(worker.port)[sample("gateway_crl_intake_held")] == 1.0

    async with ex.client(ex.R) as r, Answers(r, ex) as answers:
        sent = await r.send("Request", ex.request())
        await _poll(
            "intake_held_crl_expired in the worker's log",
            lambda: "intake_held_crl_expired" in worker.output(),
            timeout=60,
        )
        fresh_at = datetime.now(UTC)
        reissue_crl(ex.pki.root, valid_for=timedelta(days=1))
        kind, record, _ = await answers.outcome(sent, timeout=BOUND_S + 30)
    assert kind == "Receipt"
    assert record["outcome"] == "accepted"
    # the receipt was produced after the fresh CRL was in place: Kafka's timestamp says when
    receipts = await read_until(
        ex.kafka,
        inbox_topic(ex.R),
        lambda records: any(rec.key == sent.case_id.encode() for rec in records),
        timeout=30,
    )
    made = [rec.timestamp for rec in receipts if rec.key == sent.case_id.encode()]
    assert made, "the receipt is not in the inbox topic"
    assert min(made) / 1000 >= fresh_at.timestamp() - 0.005, (made, fresh_at)
    assert await _poll("/readyz 200", _readyz_is(worker, 200), timeout=30) == {"status": "ready"}
    assert "intake_resumed_crl_in_date" in worker.output()
    assert scrape(worker.port)[sample("gateway_crl_intake_held")] == 0.0


async def test_a_revoked_body_loses_its_kafka_access_at_its_next_request(
    exchange: Exchange,
) -> None:
    """``gateway pki revoke`` without --signing-only: the TLS certificate goes on the TLS
    CRL and the ACLs turn into DENY ALL; the body's open producer is refused at once."""
    ex = exchange
    if not ex.broker.secure:
        pytest.skip("the broker under test has no ACLs (PLAINTEXT)")
    body = ex.connection(ex.X)
    producer = body.producer(acks="all", request_timeout_ms=10_000)
    await start_client(body, producer)
    try:
        await producer.send_and_wait(outbox_topic(ex.X), b"before", key=b"k")
        done = _revoke(ex, ex.X)
        assert done.returncode == 0, done.stderr
        assert "TLS certificate" in done.stdout
        assert "denied everything" in done.stdout
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(outbox_topic(ex.X), b"after", key=b"k")
    finally:
        with contextlib.suppress(KafkaError):
            await producer.stop()
    assert ex.X in revoked_principals(ex.broker.tls_dir)
