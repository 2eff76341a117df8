"""The three built-in adapters pass the contract suite against their reference servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gateway.adapters import Adapter, AdapterMessage
from gateway.adapters.contract import AdapterContract, ContractTarget
from gateway.adapters.eqaror import EqarorAdapter
from gateway.adapters.nisuz import NisuzAdapter
from gateway.adapters.portal import PortalAdapter
from gateway.reference import DEFAULT_TOKEN, EqarorServer, NisuzServer, PortalServer
from gateway.schemas.samples import sample_attachment, sample_request

HEADERS = {
    "gateway.received_at": "2026-11-23T05:00:00+00:00",
    "gateway.deadline": "2026-11-24T13:00:00+00:00",
}


def request_message(**over: Any) -> AdapterMessage:
    ident = str(uuid.uuid4())
    record = sample_request(message_id=ident, case_id=ident, **over)
    return AdapterMessage("Request", record, ident, ident, ident, HEADERS, b"")


class TestPortalContract(AdapterContract):
    @pytest.fixture
    def adapter_class(self) -> type[Adapter]:
        return PortalAdapter

    @pytest.fixture
    async def target(self) -> AsyncIterator[ContractTarget]:
        async with PortalServer(":memory:") as server:
            yield ContractTarget(server.url, DEFAULT_TOKEN)

    @pytest.fixture
    def contract_message(self) -> AdapterMessage:
        return request_message(extra={"portal_application_id": "PA-1"})


class TestEqarorContract(AdapterContract):
    @pytest.fixture
    def adapter_class(self) -> type[Adapter]:
        return EqarorAdapter

    @pytest.fixture
    async def target(self) -> AsyncIterator[ContractTarget]:
        async with EqarorServer(":memory:") as server:
            yield ContractTarget(server.url, DEFAULT_TOKEN)

    @pytest.fixture
    def contract_message(self) -> AdapterMessage:
        draft = sample_attachment(b"draft decision", name="qaror.pdf", document_kind="hokim_order")
        return request_message(application=draft)


class TestNisuzContract(AdapterContract):
    @pytest.fixture
    def adapter_class(self) -> type[Adapter]:
        return NisuzAdapter

    @pytest.fixture
    async def target(self) -> AsyncIterator[ContractTarget]:
        async with NisuzServer(":memory:") as server:
            yield ContractTarget(server.url, DEFAULT_TOKEN)

    @pytest.fixture
    def contract_message(self) -> AdapterMessage:
        report_id = f"200000000-{uuid.uuid4().hex[:8]}"
        record = {
            "report_id": report_id,
            "period_from": date(2026, 11, 1),
            "period_to": date(2026, 11, 30),
            "generated_at": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
            "rows": [
                {
                    "body": "201000001",
                    "service": "DX-0123",
                    "received": 3,
                    "answered_on_time": 2,
                    "answered_late": 0,
                    "refused": 1,
                    "overdue_now": 0,
                    "median_answer_hours": 1.125,
                    "p95_answer_hours": 2.125,
                }
            ],
        }
        return AdapterMessage("StatsReport", record, f"{report_id}.1", "", report_id, {}, b"")
