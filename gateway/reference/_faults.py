"""Injected faults: answers a reference server gives instead of its real ones, for tests.

A fault is set through ``POST /_reference/faults`` (or :meth:`ReferenceServer.inject_fault`)
and served to the next API requests whose path starts with one of its prefixes: it waits
``delay_s`` seconds, then answers ``status`` with an ``injected_fault`` error, before
authentication and before anything is applied. A fault without a status only delays; the
request then goes on as usual (the "applied, but the client timed out" case). Faults are
served in the order they were set; one with a ``count`` is dropped once served that often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gateway.reference import _validate as v
from gateway.reference.exceptions import ApiError, Code

__all__ = ["Fault", "FaultBook", "parse_fault"]

_BACKPRESSURE = (429, 503)


@dataclass(slots=True)
class Fault:
    """One injected fault; ``count`` is how many more requests it serves (``None``: no limit)."""

    status: int | None = None
    count: int | None = None
    retry_after: float | None = None
    delay_s: float = 0.0
    paths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status is not None and not 400 <= self.status <= 599:
            raise ApiError(400, Code.INVALID_VALUE, "status must be 400 to 599", field="status")
        if self.status is None and self.delay_s <= 0:
            raise ApiError(
                400, Code.MISSING_FIELD, "a fault needs a status, a delay_s or both", field="status"
            )
        if self.retry_after is not None and self.status not in _BACKPRESSURE:
            raise ApiError(
                400,
                Code.INVALID_VALUE,
                "retry_after goes with status 429 or 503",
                field="retry_after",
            )
        if self.count is not None and self.count < 1:
            raise ApiError(400, Code.INVALID_VALUE, "count must be at least 1", field="count")

    def matches(self, path: str) -> bool:
        """True when this fault applies to a request for ``path``."""
        return not self.paths or any(path.startswith(prefix) for prefix in self.paths)

    def error(self) -> ApiError:
        """The error answer this fault gives (only for a fault with a status)."""
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(self.retry_after))
        return ApiError(
            self.status or 500,
            Code.INJECTED_FAULT,
            f"the reference server was told to answer {self.status} (fault injection)",
            headers=headers,
        )

    def as_json(self) -> v.JsonObject:
        """The fault as the control API shows it."""
        return {
            "status": self.status,
            "count": self.count,
            "retry_after": self.retry_after,
            "delay_s": self.delay_s,
            "paths": list(self.paths) or None,
        }


def _optional_number(body: v.JsonObject, key: str) -> float | None:
    value = body.get(key)
    return None if value is None else v.number(value, key)


def parse_fault(body: object) -> Fault:
    """Read the body of ``POST /_reference/faults``; a 400 names the wrong field."""
    fault = v.fields(body, None, required=(), optional=Fault.__dataclass_fields__)
    status = fault.get("status")
    count = fault.get("count")
    paths = fault.get("paths")
    if isinstance(paths, str):
        paths = [paths]
    prefixes = () if paths is None else v.array(paths, "paths")
    return Fault(
        status=None if status is None else v.integer(status, "status", minimum=400),
        count=None if count is None else v.integer(count, "count", minimum=1),
        retry_after=_optional_number(fault, "retry_after"),
        delay_s=_optional_number(fault, "delay_s") or 0.0,
        paths=tuple(v.string(p, v.item("paths", i)) for i, p in enumerate(prefixes)),
    )


class FaultBook:
    """The faults in force, in the order they were set."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Put a fault in force after the ones already set."""
        self._faults.append(fault)

    def clear(self) -> int:
        """Drop every fault; returns how many were in force."""
        dropped = len(self._faults)
        self._faults.clear()
        return dropped

    def active(self) -> list[Fault]:
        """The faults in force."""
        return list(self._faults)

    def take(self, path: str) -> Fault | None:
        """The first fault for ``path``, counted as served once (dropped when used up)."""
        for fault in self._faults:
            if fault.matches(path):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                return fault
        return None
