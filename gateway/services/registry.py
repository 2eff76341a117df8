"""The service registry as data: frozen, looked up on the hot path without allocation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from gateway.calendar import DeadlinePolicy

__all__ = ["Service", "ServiceRegistry"]


@dataclasses.dataclass(frozen=True, slots=True)
class Service:
    """One state service of the unified registry, as the gateway enforces it."""

    registry_number: str
    name: str
    provider: str
    requesters: frozenset[str]
    documents: Mapping[str, str]  # code -> title; empty means "any document"
    deadline: DeadlinePolicy
    adapters: tuple[str, ...]
    personal_data: bool
    line: int | None = None

    def may_request(self, sender: str, recipient: str) -> bool:
        """Item 21: ``sender`` may ask ``recipient`` for this service (deny by default)."""
        return recipient == self.provider and sender in self.requesters


class ServiceRegistry:
    """All services by registry number; built by :func:`gateway.services.load_services`."""

    def __init__(self, services: Iterable[Service], *, source: Path | None = None) -> None:
        self._by_number: Mapping[str, Service] = MappingProxyType(
            {s.registry_number: s for s in services}
        )
        self.source = source

    def get(self, registry_number: str) -> Service | None:
        """The service with this unique registry number, or ``None``."""
        return self._by_number.get(registry_number)

    def __len__(self) -> int:
        return len(self._by_number)

    def __iter__(self) -> Iterator[Service]:
        return iter(self._by_number.values())

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(self._by_number)

    @property
    def bodies(self) -> frozenset[str]:
        """Every body the registry names, as provider or requester."""
        out: set[str] = set()
        for s in self._by_number.values():
            out.add(s.provider)
            out.update(s.requesters)
        return frozenset(out)

    @property
    def adapters(self) -> frozenset[str]:
        return frozenset(a for s in self._by_number.values() for a in s.adapters)
