"""The contract every adapter must pass, built-in or third-party: a reusable pytest suite.

Subclass :class:`AdapterContract` in your tests and provide three fixtures::

    class TestMyAdapterContract(AdapterContract):
        @pytest.fixture
        def adapter_class(self):
            return MyAdapter

        @pytest.fixture
        async def target(self):                 # a server with the reference control API
            async with GenericServer(":memory:") as server:   # or your system's test double
                yield ContractTarget(server.url, "reference-token")

        @pytest.fixture
        def contract_message(self):             # a message your adapter delivers, new id each time
            return make_message(...)

The target must offer the reference servers' control API (``POST/DELETE /_reference/faults``,
``GET /_reference/stats``; docs/adapters.md), which the suite uses to make the target fail on
purpose. The suite checks what the runner relies on:

* a delivery succeeds and returns a :class:`DeliveryReceipt`;
* the same message delivered twice is applied once (the idempotency key);
* HTTP 5xx, timeouts and refused connections raise a *retriable* ``DeliveryError``;
* HTTP 4xx raises a *non-retriable* one (the runner dead-letters it at once);
* HTTP 429 with ``Retry-After`` raises ``BackpressureError`` with that ``retry_after``;
* close is clean: nothing left open, and closing twice is harmless.

Needs the ``test`` extra (pytest, pytest-asyncio).
"""

from __future__ import annotations

import dataclasses
import gc
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from gateway.adapters.base import Adapter, DeliveryReceipt
from gateway.adapters.message import AdapterMessage
from gateway.adapters.settings import AdapterSettings
from gateway.exceptions import BackpressureError, DeliveryError
from gateway.worker.process import free_port

__all__ = ["AdapterContract", "ContractTarget"]


@dataclasses.dataclass(frozen=True)
class ContractTarget:
    """Where the adapter under test delivers, and the token it needs."""

    url: str
    token: str | None = None

    async def control(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, f"{self.url.rstrip('/')}/_reference/{path}", json=body) as r,
        ):
            r.raise_for_status()
            data = await r.json(content_type=None)
            return data if isinstance(data, dict) else {}

    async def fail_next(self, status: int, *, count: int = 1, **extra: Any) -> None:
        await self.control("POST", "faults", {"status": status, "count": count, **extra})

    async def delay_next(self, seconds: float, *, count: int = 1) -> None:
        await self.control("POST", "faults", {"delay_s": seconds, "count": count})

    async def applied(self) -> int:
        return int((await self.control("GET", "stats"))["applied"])


class AdapterContract:
    """The contract suite; see the module's docstring for the fixtures to provide."""

    def make_settings(
        self, adapter_class: type[Adapter], target: ContractTarget, **changes: Any
    ) -> AdapterSettings:
        values: dict[str, Any] = {"base_url": target.url, "timeout_s": 2.0, **changes}
        if target.token is not None:
            values["token"] = target.token
        return adapter_class.settings_class(**values)

    @pytest.fixture
    async def adapter(
        self, adapter_class: type[Adapter], target: ContractTarget
    ) -> AsyncIterator[Adapter]:
        await target.control("DELETE", "faults")
        async with adapter_class(self.make_settings(adapter_class, target)) as adapter:
            yield adapter
        await target.control("DELETE", "faults")

    async def test_delivers(self, adapter: Adapter, contract_message: AdapterMessage) -> None:
        receipt = await adapter.deliver(contract_message)
        assert isinstance(receipt, DeliveryReceipt)
        assert receipt.outcome == "delivered"

    async def test_the_same_message_twice_is_applied_once(
        self, adapter: Adapter, target: ContractTarget, contract_message: AdapterMessage
    ) -> None:
        before = await target.applied()
        first = await adapter.deliver(contract_message)
        applied = await target.applied() - before
        assert applied >= 1, "the first delivery applied nothing at the target"
        second = await adapter.deliver(contract_message)
        assert await target.applied() - before == applied, "a redelivery was applied again"
        assert second.remote_id == first.remote_id

    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_server_errors_are_retriable(
        self,
        adapter: Adapter,
        target: ContractTarget,
        contract_message: AdapterMessage,
        status: int,
    ) -> None:
        await target.fail_next(status)
        with pytest.raises(DeliveryError) as caught:
            await adapter.deliver(contract_message)
        assert caught.value.retriable is True
        assert (await adapter.deliver(contract_message)).outcome == "delivered"

    async def test_a_timeout_is_retriable(
        self, adapter: Adapter, target: ContractTarget, contract_message: AdapterMessage
    ) -> None:
        await target.delay_next(adapter.settings.timeout_s + 1.5)
        with pytest.raises(DeliveryError) as caught:
            await adapter.deliver(contract_message)
        assert caught.value.retriable is True

    async def test_a_refused_connection_is_retriable(
        self, adapter_class: type[Adapter], contract_message: AdapterMessage
    ) -> None:
        nowhere = ContractTarget(f"http://127.0.0.1:{free_port()}", "x")
        settings = self.make_settings(adapter_class, nowhere)
        async with adapter_class(settings) as adapter:
            with pytest.raises(DeliveryError) as caught:
                await adapter.deliver(contract_message)
        assert caught.value.retriable is True

    @pytest.mark.parametrize("status", [400, 404, 409, 422])
    async def test_client_errors_are_not_retriable(
        self,
        adapter: Adapter,
        target: ContractTarget,
        contract_message: AdapterMessage,
        status: int,
    ) -> None:
        await target.fail_next(status)
        with pytest.raises(DeliveryError) as caught:
            await adapter.deliver(contract_message)
        assert caught.value.retriable is False
        assert not isinstance(caught.value, BackpressureError)

    async def test_backpressure_carries_retry_after(
        self, adapter: Adapter, target: ContractTarget, contract_message: AdapterMessage
    ) -> None:
        await target.fail_next(429, retry_after=7)
        with pytest.raises(BackpressureError) as caught:
            await adapter.deliver(contract_message)
        assert caught.value.retry_after == 7
        assert caught.value.retriable is True

    async def test_close_is_clean(
        self,
        adapter_class: type[Adapter],
        target: ContractTarget,
        contract_message: AdapterMessage,
    ) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            adapter = adapter_class(self.make_settings(adapter_class, target))
            async with adapter:
                await adapter.deliver(contract_message)
            await adapter.close()  # twice is harmless
            del adapter
            gc.collect()
        leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
        assert not leaks, f"resources left open after close: {[str(w.message) for w in leaks]}"
