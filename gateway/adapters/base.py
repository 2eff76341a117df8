"""The one abstract base every adapter implements: set up, deliver one message, close.

An adapter knows its target system and nothing of Kafka: the runner
(:mod:`gateway.adapters.runner`) consumes the topic, retries, opens the circuit, writes dead
letters and lifecycle events, and commits offsets. An adapter only turns one
:class:`~gateway.adapters.message.AdapterMessage` into calls to its target and reports:

* success: a :class:`DeliveryReceipt` (``delivered``, or ``not_applicable`` when the message
  means nothing to the target, e.g. a cancellation for a system that has no such notion);
* failure: :class:`~gateway.exceptions.DeliveryError` with ``retriable`` set (5xx, timeouts,
  refused connections: True; 4xx: False), or :class:`~gateway.exceptions.BackpressureError`
  with ``retry_after`` when the target asks to slow down.

Every call to the target must carry ``message.idempotency_key`` so a redelivery is applied
once. Use as an async context manager::

    async with EqarorAdapter(settings, context) as adapter:
        receipt = await adapter.deliver(message)
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from types import TracebackType
from typing import ClassVar, Literal, Self

from gateway.adapters.message import AdapterMessage
from gateway.adapters.settings import AdapterSettings

__all__ = ["Adapter", "AdapterContext", "DeliveryReceipt"]

Outcome = Literal["delivered", "not_applicable"]


@dataclasses.dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """What the target answered, as the runner records it.

    ``detail`` goes into the ``delivered`` lifecycle event and to the bodies in ``notify``
    (e.g. E-qaror's registration number): key-values, never personal data. ``remote_id`` is
    the target's id of what it stored.
    """

    outcome: Outcome = "delivered"
    remote_id: str | None = None
    detail: Mapping[str, str] = dataclasses.field(default_factory=dict)
    notify: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class AdapterContext:
    """What the runner knows that adapters may need: names of bodies and services."""

    body_names: Mapping[str, str] = dataclasses.field(default_factory=dict)
    service_names: Mapping[str, str] = dataclasses.field(default_factory=dict)
    gateway_org: str = ""

    def body_name(self, code: str) -> str:
        return self.body_names.get(code, code)

    def service_name(self, number: str) -> str:
        return self.service_names.get(number, number)


class Adapter(abc.ABC):
    """Base of every adapter. Subclasses set ``name`` and ``settings_class``."""

    name: ClassVar[str]
    """The adapter's name in topics.yaml and services.yaml (``exchange.adapter.<name>``)."""
    settings_class: ClassVar[type[AdapterSettings]] = AdapterSettings
    """The typed settings this adapter is configured with."""

    def __init__(self, settings: AdapterSettings, context: AdapterContext | None = None) -> None:
        self.settings = settings
        self.context = context or AdapterContext()

    async def setup(self) -> None:  # noqa: B027 -- optional hook, most adapters open a client
        """Open clients and connection pools; called once before the first delivery."""

    @abc.abstractmethod
    async def deliver(self, message: AdapterMessage) -> DeliveryReceipt:
        """Deliver one message; idempotent on ``message.idempotency_key``."""

    async def close(self) -> None:  # noqa: B027 -- optional hook
        """Release what :meth:`setup` opened; safe to call twice."""

    async def __aenter__(self) -> Self:
        await self.setup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
