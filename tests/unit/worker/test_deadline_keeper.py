"""The worker's deadline keeper over a plain dict for the cases table and a recording producer:
which stored cases it changes after a reload, what it writes, and that it does it once."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from gateway.calendar import DeadlinePolicy, ReloadingCalendar, default_calendar
from gateway.envelope import EnvelopeCodec
from gateway.pipeline import Case, Output, Outputs
from gateway.schemas import SchemaRegistry
from gateway.services import ServiceRegistry, load_services
from gateway.signing import Signer, init_pki
from gateway.worker.deadlines import DeadlineKeeper, calendar_state

PACKAGE = default_calendar()
GATEWAY = "999999999"
REQUESTER, HOLDER = "201000001", "202000002"
# Friday 13 November 2026, 10:00 Tashkent: due Monday 16 at 18:00 on the package's calendar
FRIDAY = datetime(2026, 11, 13, 5, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 13, 7, 0, tzinfo=UTC)  # noon in Tashkent, the same Friday
SOURCE = "    source: {act: Presidential decree, number: PF-9, date: 2026-11-12}\n"
EMPTY = "version: 1\ndays: []\n"
MONDAY_OFF = "version: 1\ndays:\n  - date: 2026-11-16\n    kind: day_off\n" + SOURCE


def write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


class Recorder:
    """The producer: keeps what it was asked to deliver."""

    def __init__(self) -> None:
        self.batches: list[list[Output]] = []

    async def deliver(self, outputs: Sequence[Output]) -> None:
        self.batches.append(list(outputs))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, codec: EnvelopeCodec) -> Outputs:
    pki = init_pki(tmp_path_factory.mktemp("keeper-pki"), [REQUESTER, HOLDER], now=NOW)
    return Outputs(codec, Signer.from_files(pki.gateway.key, pki.gateway.cert))


@pytest.fixture
def services(tmp_path: Path) -> ServiceRegistry:
    path = tmp_path / "services.yaml"
    path.write_text(
        "version: 1\nservices:\n"
        f'  - registry_number: "S-1"\n    name: "Xizmat"\n    provider: "{HOLDER}"\n'
        f'    requesters: ["{REQUESTER}"]\n    deadline: 1\n    adapters: [portal]\n',
        encoding="utf-8",
    )
    return load_services(path)


def case(case_id: str, received: datetime = FRIDAY, **over: Any) -> dict[str, Any]:
    policy = DeadlinePolicy.within(1)
    fields: dict[str, Any] = {
        "case_id": case_id,
        "request_id": case_id,
        "requester": REQUESTER,
        "holder": HOLDER,
        "service": "S-1",
        "adapters": ("portal",),
        "received_at": received,
        "due_at": policy.deadline_for(received, PACKAGE),
        "term": policy.to_text(),
    }
    fields.update(over)
    return Case(**fields).to_json()


@pytest.fixture
def table() -> dict[str, dict[str, Any]]:
    later = FRIDAY + timedelta(days=5)  # Wednesday 18: due Thursday 19, untouched by Monday
    return {
        "touched": {**case("touched"), "overdue_notified": False},
        "untouched": case("untouched", later),
        "closed": case("closed", status="answered", closed_at=FRIDAY + timedelta(hours=1)),
        "exempt": case("exempt", due_at=None, term="exempt"),
        "old-format": {k: v for k, v in case("old-format").items() if k != "term"},
    }


def keeper_over(  # noqa: PLR0917 -- a test helper over the keeper's parts
    calendars: ReloadingCalendar,
    table: dict[str, dict[str, Any]],
    services: ServiceRegistry,
    outputs: Outputs,
    recorder: Recorder,
    partitions: set[int],
) -> DeadlineKeeper:
    return DeadlineKeeper(
        calendars,
        cases=table,
        owned=lambda: list(table.values()),
        partitions=lambda: partitions,
        services=lambda: services,
        outputs=outputs,
        deliverer=recorder,
        actor=GATEWAY,
    )


async def test_a_reload_moves_the_touched_open_cases_once(
    tmp_path: Path,
    table: dict[str, dict[str, Any]],
    services: ServiceRegistry,
    outputs: Outputs,
    registry: SchemaRegistry,
) -> None:
    path = tmp_path / "calendar.yaml"
    write(path, EMPTY, 1_700_000_000_000_000_000)
    calendars = ReloadingCalendar(path, clock=lambda: NOW)
    recorder, partitions = Recorder(), {0, 1}
    keeper = keeper_over(calendars, table, services, outputs, recorder, partitions)
    before = {k: dict(v) for k, v in table.items()}

    # the calendar the cases were computed on: nothing to do
    assert await keeper.reconcile(NOW) == 0
    assert recorder.batches == []
    assert table == before

    write(path, MONDAY_OFF, 1_700_000_007_000_000_000)
    assert calendars.refresh()
    with capture_logs() as logs:
        assert await keeper.reconcile(NOW) == 2
    monday, tuesday = PACKAGE.due_date(FRIDAY), PACKAGE.due_date(FRIDAY) + timedelta(days=1)
    for case_id in ("touched", "old-format"):  # an old case takes the service's policy
        stored = Case.from_json(table[case_id])
        assert stored.due_at == tuesday, case_id
        assert stored.deadline_changes == 1
    assert table["touched"]["overdue_notified"] is False  # other keys of the value are kept
    for case_id in ("untouched", "closed", "exempt"):
        assert table[case_id] == before[case_id], case_id
    (batch,) = recorder.batches
    events = [registry.decode_single(o.value).record for o in batch if o.topic == "exchange.events"]
    assert {e["case_id"] for e in events} == {"touched", "old-format"}
    for event in events:
        assert event["stage"] == "deadline_changed"
        assert event["deadline"] == tuesday
        assert event["detail"]["old_due"] == monday.isoformat()
        assert event["detail"]["reason"] == (
            "calendar change: 2026-11-16 day off: Presidential decree PF-9 of 2026-11-12"
        )
        assert event["detail"]["calendar"] == calendars.digest
    assert {o.topic for o in batch} == {
        "exchange.events",
        f"exchange.inbox.{REQUESTER}",
        f"exchange.inbox.{HOLDER}",
        "exchange.adapter.portal",
    }
    assert logs[-1]["event"] == "deadlines_recomputed"
    assert logs[-1]["changed"] == 2
    assert keeper.changed == 2
    assert calendar_state(keeper).deadlines_changed == 2

    # the same calendar again, or another partition set with nothing new: nothing more
    assert await keeper.reconcile(NOW) == 0
    partitions.add(2)
    assert await keeper.reconcile(NOW) == 0
    assert len(recorder.batches) == 1

    # the entry removed: the deadline comes back, with the next event id
    write(path, EMPTY, 1_700_000_014_000_000_000)
    assert calendars.refresh()
    assert await keeper.reconcile(NOW) == 2
    assert Case.from_json(table["touched"]).due_at == monday
    ids = {
        registry.decode_single(o.value).record["event_id"]
        for o in recorder.batches[-1]
        if o.topic == "exchange.events"
    }
    assert ids == {"touched.deadline_changed.2", "old-format.deadline_changed.2"}


async def test_a_change_that_comes_too_late_is_not_applied(
    tmp_path: Path,
    table: dict[str, dict[str, Any]],
    services: ServiceRegistry,
    outputs: Outputs,
) -> None:
    path = tmp_path / "calendar.yaml"
    write(path, EMPTY, 1_700_000_000_000_000_000)
    calendars = ReloadingCalendar(path, clock=lambda: NOW)
    recorder = Recorder()
    keeper = keeper_over(calendars, table, services, outputs, recorder, {0})
    await keeper.reconcile(NOW)
    write(path, MONDAY_OFF, 1_700_000_007_000_000_000)
    calendars.refresh()
    after_the_deadline = PACKAGE.due_date(FRIDAY) + timedelta(minutes=1)
    before = {k: dict(v) for k, v in table.items()}
    assert await keeper.reconcile(after_the_deadline) == 0  # the term had ended: it stands
    assert table == before
    assert recorder.batches == []
