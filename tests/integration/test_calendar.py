"""The working calendar changed under a running worker, on the real broker.

An open case's deadline falls on a day that ``calendar.yaml`` then declares a day off: the
worker picks the file up, moves the deadline one working day, and says so everywhere (the
events topic, both bodies' inboxes, the portal's adapter topic, ``gateway track``). A second
worker, its clock set past the new deadline, announces the case overdue with the new
deadline, not the old one. Every wait is on a record or an answer, never on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from gateway.calendar import build_calendar, load_calendar_file
from gateway.client import AgencyClient, InboxItem, Sent
from gateway.envelope import headers_dict
from gateway.schemas import SchemaRegistry
from gateway.topics.names import EVENTS, adapter_topic
from tests.conftest import Broker
from tests.integration.exchange import Exchange, WorkerProcess, make_exchange, now_utc, read_until

pytestmark = pytest.mark.integration

REGISTRY = SchemaRegistry.load()
EMPTY = "version: 1\ndays: []\n"


def with_day_off(day: date) -> str:
    return (
        "version: 1\ndays:\n"
        f"  - date: {day.isoformat()}\n"
        "    kind: day_off\n"
        "    source: {act: Presidential decree, number: PF-TEST-1, date: 2026-12-01}\n"
        '    note: "declared while the case is open (integration test)"\n'
    )


async def first(
    client: AgencyClient, match: Callable[[InboxItem], bool], timeout: float = 60
) -> InboxItem:
    async def scan() -> InboxItem:
        async with contextlib.aclosing(client.inbox(follow=True, idle_ms=500)) as items:
            async for item in items:
                if match(item):
                    return item
        raise AssertionError("the inbox ended")

    return await asyncio.wait_for(scan(), timeout)


def status(stage: str, message_id: str) -> Callable[[InboxItem], bool]:
    def match(item: InboxItem) -> bool:
        m = item.message
        return (
            m is not None
            and m.kind == "Status"
            and m.record["stage"] == stage
            and m.record["message_id"] == message_id
        )

    return match


def events_of(records: list[ConsumerRecord[bytes, bytes]], case_id: str) -> list[dict[str, Any]]:
    key = case_id.encode()
    return [REGISTRY.decode_single(rec.value or b"").record for rec in records if rec.key == key]


async def gateway_track(ex: Exchange, port: int, ident: str) -> str:
    """What an operator's ``gateway track ID`` prints for the worker on ``port``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        "track",
        ident,
        env=ex.env(GATEWAY_WORKER_WEB_PORT=str(port)),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    return out.decode()


async def tracked(worker: WorkerProcess, ident: str, stage: str) -> dict[str, Any]:
    """The worker's ``/track`` answer once the case's timeline has ``stage``."""

    async def poll() -> dict[str, Any]:
        while True:
            found = worker.track(ident)
            if found and stage in [e["stage"] for e in found["timeline"]]:
                return found
            await asyncio.sleep(0.1)  # the tracker consumes the events just read

    return await asyncio.wait_for(poll(), 30)


async def announced_everywhere(ex: Exchange, case_id: str) -> None:
    """The ``deadline_changed`` event is on the events topic and the portal's topic."""

    def changed(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        return any(e["stage"] == "deadline_changed" for e in events_of(records, case_id))

    events = events_of(await read_until(ex.kafka, EVENTS, changed), case_id)
    assert [e["stage"] for e in events][-1] == "deadline_changed"

    def on_portal(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        return any(
            headers_dict(r.headers).get("stage") == "deadline_changed" and r.key == case_id.encode()
            for r in records
        )

    portal = adapter_topic(ex.adapters["portal"])
    assert on_portal(await read_until(ex.kafka, portal, on_portal))


async def open_case(ex: Exchange) -> tuple[Sent, datetime]:
    """A request from R to H, and the deadline its receipt gives."""
    async with ex.client(ex.R) as requester:
        sent = await requester.send("Request", ex.request())
        receipt = await first(
            requester,
            lambda i: (
                i.message is not None
                and i.message.kind == "Receipt"
                and i.message.record["message_id"] == sent.message_id
            ),
        )
    assert receipt.message is not None
    due: datetime = receipt.message.record["deadline"]
    return sent, due


async def test_a_day_off_declared_while_a_case_is_open_moves_its_deadline(
    tmp_path: Path, kafka_broker: Broker, unique: str
) -> None:
    ex = await make_exchange(tmp_path, kafka_broker, unique)
    calendar_file = tmp_path / "calendar.yaml"
    calendar_file.write_text(EMPTY, encoding="utf-8")
    env = {"GATEWAY_CALENDAR_FILE": str(calendar_file), "GATEWAY_CALENDAR_CHECK_S": "0.5"}
    try:
        worker = ex.start_worker(**env)
        sent, old_due = await open_case(ex)
        package = build_calendar(None)
        due_day = package.to_local(old_due).date()

        # the decree: the day the case is due becomes a day off
        calendar_file.write_text(with_day_off(due_day), encoding="utf-8")
        changed = build_calendar(load_calendar_file(calendar_file))
        new_due = datetime.combine(
            changed.next_working_day(due_day), changed.work_end, tzinfo=changed.tz
        )

        async with ex.client(ex.R) as requester:
            notice = await first(requester, status("deadline_changed", sent.message_id))
        assert notice.message is not None
        assert notice.message.signer.org_code == "999999999"
        told = notice.message.record
        assert told["deadline"] == new_due
        assert told["detail"]["old_due"] == package.to_local(old_due).isoformat()
        assert told["detail"]["new_due"] == new_due.isoformat()
        assert told["detail"]["reason"] == (
            f"calendar change: {due_day.isoformat()} day off: Presidential decree PF-TEST-1 "
            "of 2026-12-01"
        )
        async with ex.client(ex.H) as holder:  # the body that owes the answer is told too
            await first(holder, status("deadline_changed", sent.message_id))

        await announced_everywhere(ex, sent.case_id)

        # gateway track: the case's new due time and the event in its timeline
        found = await tracked(worker, sent.message_id, "deadline_changed")
        assert found["case"]["due_at"] == int(new_due.timestamp() * 1000)
        assert found["case"]["deadline_changes"] == 1
        shown = await gateway_track(ex, worker.port, sent.message_id)
        assert f"  due {new_due.isoformat()}" in shown
        (line,) = [x for x in shown.splitlines() if "deadline_changed" in x]
        assert f"(was {package.to_local(old_due).isoformat()})" in line

        # the overdue scan judges by the new deadline: a worker whose clock is past it
        worker.stop()
        offset = (new_due + timedelta(minutes=1) - now_utc()).total_seconds()
        ex.start_worker(GATEWAY_CLOCK_OFFSET_S=str(offset), **env)
        async with ex.client(ex.R) as requester:
            overdue = await first(requester, status("overdue", sent.message_id))
        assert overdue.message is not None
        assert overdue.message.record["deadline"] == new_due
        assert overdue.message.record["deadline"] != old_due

        def announced(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
            return any(e["stage"] == "overdue" for e in events_of(records, sent.case_id))

        events = events_of(await read_until(ex.kafka, EVENTS, announced), sent.case_id)
        stages = [e["stage"] for e in events]
        assert stages.count("deadline_changed") == 1  # the restart moved nothing again
        assert stages[-1] == "overdue"
    finally:
        ex.stop_workers()
