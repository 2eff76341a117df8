"""Adapters on the real broker, delivering over real HTTP to the reference servers.

Each test has its own exchange (bodies, topics, adapter instances); runners are real
``gateway adapters run`` processes; the reference servers run in the test's event loop with
their state in SQLite, and are stopped, failed and restarted on purpose.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.kafka import WORKER, start_client
from gateway.reference import EqarorServer, NisuzServer, PortalServer, ReferenceServer
from gateway.schemas.samples import sample_attachment
from gateway.topics.names import adapter_dlq_topic, adapter_topic
from gateway.topics.read import read_to_end
from tests.conftest import Broker
from tests.integration.adapters import (
    RunnerProcess,
    forward_headers,
    sealed_request,
    start_runner,
    until,
)
from tests.integration.exchange import (
    DECISION,
    Exchange,
    make_exchange,
    read_until,
    sample,
    scrape,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def exchange(tmp_path: Path, kafka_broker: Broker, unique: str) -> AsyncIterator[Exchange]:
    ex = await make_exchange(tmp_path, kafka_broker, unique)
    yield ex
    ex.stop_workers()


@pytest.fixture
async def runners() -> AsyncIterator[list[RunnerProcess]]:
    started: list[RunnerProcess] = []
    yield started
    for runner in started:
        runner.stop()


async def serve(cls: type[ReferenceServer], root: Path) -> ReferenceServer:
    server = cls(root / f"{cls.name}.sqlite")
    await server.start()
    return server


def count(server: ReferenceServer, sql: str, *args: Any) -> int:
    return int(server.store.query(sql, *args)[0][0])


def gateway_cli(exchange: Exchange, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        env=exchange.env(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


async def publish(exchange: Exchange, topic: str, n: int, **over: Any) -> list[dict[str, Any]]:
    """``n`` signed requests straight onto an adapter topic, as the worker would route them."""
    worker = exchange.connection(WORKER)  # as the worker routes them, with its identity
    producer = worker.producer(acks="all")
    await start_client(worker, producer)
    records = []
    try:
        for _ in range(n):
            value, record = sealed_request(exchange, **over)
            await producer.send(
                topic,
                value,
                key=record["case_id"].encode(),
                headers=forward_headers("Request", record),
            )
            records.append(record)
        await producer.flush()
    finally:
        await producer.stop()
    return records


def decision(**over: Any) -> dict[str, Any]:
    return {
        "service": {"registry_number": DECISION, "name": "Hokim qarorini kelishish"},
        "application": sample_attachment(
            b"%PDF-1.7\n% qaror loyihasi\n%%EOF\n",
            name="qaror-loyihasi.pdf",
            document_kind="hokim_decision",
        ),
        **over,
    }


async def test_each_adapter_delivers_a_case_end_to_end(
    exchange: Exchange, runners: list[RunnerProcess], tmp_path: Path
) -> None:
    portal, eqaror, nisuz = (
        await serve(PortalServer, tmp_path),
        await serve(EqarorServer, tmp_path),
        await serve(NisuzServer, tmp_path),
    )
    try:
        worker = exchange.start_worker(GATEWAY_NISUZ_REPORT_S="0")
        for name, server in (("portal", portal), ("eqaror", eqaror), ("nisuz", nisuz)):
            runners.append(start_runner(exchange, name, server))
        async with exchange.client(exchange.R) as r, exchange.client(exchange.H) as h:
            extra = {"portal_application_id": "PA-2026-000123"}
            sent = await r.send("Request", exchange.request(extra=extra))
            asked = await r.send("Request", exchange.request(**decision()))
            await until(
                lambda: count(portal, "SELECT COUNT(*) FROM statuses") >= 2,
                what="the portal's first statuses",
            )
            request = {"case_id": sent.case_id, "message_id": sent.message_id}
            request.update(exchange.request())
            await h.send("Response", exchange.response(request))

            # the portal: four applicant-facing statuses, Uzbek and Russian, no personal data
            await until(
                lambda: (
                    count(portal, "SELECT COUNT(*) FROM statuses WHERE case_id = ?", sent.case_id)
                    == 4
                ),
                what="four portal statuses",
            )
            rows = portal.store.query(
                "SELECT status FROM statuses WHERE case_id = ? ORDER BY position", sent.case_id
            )
            statuses = [json.loads(row["status"]) for row in rows]
            assert [s["stage"] for s in statuses] == [
                "received",
                "sent_to_holder",
                "answered",
                "result_ready",
            ]
            assert all(s["text"]["uz"] and s["text"]["ru"] for s in statuses)
            linked = portal.store.query(
                "SELECT application_id FROM cases WHERE case_id = ?", sent.case_id
            )
            assert linked[0]["application_id"] == "PA-2026-000123"
            everything = json.dumps(statuses, ensure_ascii=False)
            for personal in ("41405900261239", "Karimova", "Dilnoza", "AD1234567"):
                assert personal not in everything

            # E-qaror: the decision is registered; the requester is told its number
            await until(
                lambda: count(eqaror, "SELECT COUNT(*) FROM documents") == 1,
                what="the E-qaror registration",
            )
            document = json.loads(eqaror.store.query("SELECT record FROM documents")[0][0])
            assert document["external_id"] == asked.message_id
            assert document["kind"] == "hokim_decision"
            notice = await _notice(r, asked.message_id)
            assert notice["detail"]["registration_number"] == document["registration_number"]
            assert notice["detail"]["agreement"] == "agreed"

        # the tracked timeline shows the adapter's deliveries
        def portal_deliveries() -> int:
            found = worker.track(sent.case_id) or {"timeline": []}
            return sum(
                e["stage"] == "delivered"
                and e["detail"].get("adapter") == exchange.adapters["portal"]
                for e in found["timeline"]
            )

        await until(lambda: portal_deliveries() == 2, what="the portal's delivered events")

        await _check_nisuz(exchange, nisuz)
    finally:
        for server in (portal, eqaror, nisuz):
            await server.stop()
            server.close()


async def _check_nisuz(exchange: Exchange, nisuz: ReferenceServer) -> None:
    """The statistics of today, on demand, delivered by the NIS.UZ runner."""

    def reported() -> dict[str, Any] | None:
        rows = nisuz.store.query("SELECT report FROM reports")
        return json.loads(rows[0][0]) if rows else None

    def rows_of(report: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
        return {(x["body"], x["service"]): x for x in (report or {}).get("rows", [])}

    async def answered_in_report() -> bool:
        before = (reported() or {}).get("generated_at")
        gateway_cli(exchange, "nisuz", "report", "--period", "today")
        await until(
            lambda: (reported() or {}).get("generated_at") not in {None, before},
            what="a new report",
        )
        row = rows_of(reported()).get((exchange.H, "T-1"))
        return bool(row and row["answered_on_time"] == 1)

    for _ in range(10):  # the tracker counts asynchronously: report again until it has
        if await answered_in_report():
            break
    rows = rows_of(reported())
    row = rows[(exchange.H, "T-1")]
    assert (row["received"], row["answered_on_time"], row["overdue_now"]) == (1, 1, 0)
    assert row["median_answer_hours"] is not None
    assert rows[(exchange.H, DECISION)]["received"] == 1


async def _notice(client: Any, message_id: str) -> dict[str, Any]:
    async def scan() -> dict[str, Any]:
        async for item in client.inbox(follow=True, idle_ms=500):
            message = item.message
            if message is None or message.kind != "Status":
                continue
            record = message.record
            if record["message_id"] == message_id and record["stage"] == "delivered":
                return dict(record)
        raise AssertionError("the inbox ended")

    return await asyncio.wait_for(scan(), 60)


async def test_a_target_down_for_30_seconds_loses_nothing_and_applies_each_once(
    exchange: Exchange, runners: list[RunnerProcess], tmp_path: Path
) -> None:
    portal = await serve(PortalServer, tmp_path)
    topic = adapter_topic(exchange.adapters["portal"])
    try:
        runners.append(start_runner(exchange, "portal", portal))
        first = await publish(exchange, topic, 20)
        await until(lambda: portal.stats()["applied"] == 40, what="the first 20 cases")
        await portal.stop()
        second = await publish(exchange, topic, 20)
        await asyncio.sleep(30)  # the outage the scenario is about, not a synchronisation
        assert portal.stats()["applied"] == 40
        await portal.start(port=portal.port)
        await until(lambda: portal.stats()["applied"] == 80, timeout=90, what="every status")
        per_case = dict(
            portal.store.query("SELECT case_id, COUNT(*) FROM statuses GROUP BY case_id")
        )
        assert per_case == {r["case_id"]: 2 for r in first + second}
        dead = await read_to_end(exchange.kafka, adapter_dlq_topic(runners[0].instance))
        assert dead == []
        log = runners[0].output()
        assert '"circuit": "open"' in log or '"circuit":"open"' in log
        print(
            f"outage: 40 cases, 80 statuses applied once each, {portal.stats()['replays']} "
            f"replays answered from the idempotency store, 0 dead letters"
        )
    finally:
        await portal.stop()
        portal.close()


async def test_a_400_lands_in_the_dead_letters_and_replay_delivers_it(
    exchange: Exchange, runners: list[RunnerProcess], tmp_path: Path
) -> None:
    eqaror = await serve(EqarorServer, tmp_path)
    instance = exchange.adapters["eqaror"]
    try:
        eqaror.inject_fault(status=400, paths=["/api/v1/documents"])
        runners.append(start_runner(exchange, "eqaror", eqaror))
        (record,) = await publish(exchange, adapter_topic(instance), 1, **decision())
        dead = await read_until(exchange.kafka, adapter_dlq_topic(instance), bool)
        assert len(dead) == 1
        headers = {k: v.decode() for k, v in dead[0].headers}
        assert headers["dlq.status"] == "400"
        assert headers["dlq.retriable"] == "false"
        assert headers["dlq.attempts"] == "1"
        assert headers["dlq.code"] == "injected_fault"
        assert headers["dlq.idempotency_key"] == record["message_id"]
        assert headers["__connect.errors.topic"] == adapter_topic(instance)
        assert eqaror.stats()["applied"] == 0
        dead_letters = sample("gateway_adapter_dead_letters_total", adapter=instance)
        await until(lambda: scrape(runners[-1].port).get(dead_letters) == 1, what="the count")
        counted = scrape(runners[-1].port)
        outcome = {"adapter": instance, "outcome": "dead_letter"}
        assert counted[sample("gateway_adapter_deliveries_total", **outcome)] == 1
        assert counted[sample("gateway_adapter_circuit_open", adapter=instance)] == 0

        listed = json.loads(gateway_cli(exchange, "dlq", "list", instance, "--json"))
        assert [x["id"] for x in listed] == [record["message_id"]]
        assert listed[0]["reason"] == "delivery_failed"

        eqaror.clear_faults()
        gateway_cli(exchange, "dlq", "replay", instance, "--id", record["message_id"])
        await until(lambda: eqaror.stats()["applied"] == 1, what="the replayed delivery")
        gateway_cli(exchange, "dlq", "replay", instance, "--all")  # once more: harmless
        await until(lambda: eqaror.stats()["replays"] >= 1, what="the second replay")
        assert eqaror.stats()["applied"] == 1
        assert count(eqaror, "SELECT COUNT(*) FROM documents") == 1
    finally:
        await eqaror.stop()
        eqaror.close()


async def test_a_runner_killed_mid_delivery_loses_nothing(
    exchange: Exchange, runners: list[RunnerProcess], tmp_path: Path
) -> None:
    portal = await serve(PortalServer, tmp_path)
    topic = adapter_topic(exchange.adapters["portal"])
    try:
        portal.inject_fault(delay_s=0.05)  # slow answers: the kill lands mid-delivery
        runners.append(start_runner(exchange, "portal", portal))
        records = await publish(exchange, topic, 60)
        await until(lambda: portal.stats()["applied"] >= 30, what="a quarter delivered")
        runners[0].kill()
        at_kill = portal.stats()["applied"]
        runners.append(start_runner(exchange, "portal", portal, n=1))
        await until(lambda: portal.stats()["applied"] == 120, timeout=120, what="every status")
        per_case = dict(
            portal.store.query("SELECT case_id, COUNT(*) FROM statuses GROUP BY case_id")
        )
        assert per_case == {r["case_id"]: 2 for r in records}
        print(
            f"killed at {at_kill}/120 statuses; after restart 120 applied, "
            f"{portal.stats()['replays']} redeliveries answered by idempotency, 0 missing"
        )
    finally:
        await portal.stop()
        portal.close()
