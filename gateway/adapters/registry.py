"""The adapter registry: every adapter, built-in or third-party, comes from one entry-point group.

A package registers an adapter in its ``pyproject.toml``::

    [project.entry-points."gateway.adapters"]
    myadapter = "my_package.adapter:MyAdapter"

The registry is built by the command that needs it (``gateway adapters run``), never at
import; an entry point that fails to load is reported with the package to fix, and the other
adapters stay usable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

import structlog

from gateway.adapters.base import Adapter
from gateway.exceptions import ConfigError
from gateway.identifiers import ADAPTER_NAME

__all__ = ["ENTRY_POINT_GROUP", "AdapterRegistry"]

ENTRY_POINT_GROUP = "gateway.adapters"

log = structlog.get_logger(__name__)


@dataclasses.dataclass(frozen=True)
class AdapterRegistry:
    """Adapter classes by name, and the entry points that failed to load (with why)."""

    adapters: dict[str, type[Adapter]]
    broken: dict[str, str] = dataclasses.field(default_factory=dict)
    origins: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def discover(cls, points: Iterable[EntryPoint] | None = None) -> AdapterRegistry:
        """Load the ``gateway.adapters`` entry points (or ``points``, for tests)."""
        found: dict[str, type[Adapter]] = {}
        broken: dict[str, str] = {}
        origins: dict[str, str] = {}
        for point in entry_points(group=ENTRY_POINT_GROUP) if points is None else points:
            problem = None
            try:
                loaded = point.load()
            except Exception as exc:  # noqa: BLE001 -- a broken plugin must not stop the others
                problem = f"cannot import {point.value}: {type(exc).__name__}: {exc}"
            else:
                problem = _problem(point, loaded)
            if problem is None and point.name in found:
                problem = f"the name is taken by {origins[point.name]}"
            if problem is not None:
                broken[point.name] = problem
                log.error("adapter_unusable", adapter=point.name, problem=problem)
                continue
            found[point.name] = loaded
            origins[point.name] = point.value
        return cls(found, broken, origins)

    def names(self) -> list[str]:
        return sorted(self.adapters)

    def get(self, name: str) -> type[Adapter]:
        """The adapter class called ``name``; a clear error says what exists."""
        if name in self.adapters:
            return self.adapters[name]
        if name in self.broken:
            raise ConfigError(
                f"adapter {name!r} is installed but unusable: {self.broken[name]}",
                field=f"entry point {ENTRY_POINT_GROUP}:{name}",
                hint="fix or reinstall the package that provides it",
            )
        raise ConfigError(
            f"no adapter {name!r}; installed: {', '.join(self.names()) or 'none'}",
            field=f"entry point {ENTRY_POINT_GROUP}:{name}",
            hint="install the adapter's package (it registers itself in the "
            f"{ENTRY_POINT_GROUP!r} entry-point group), or check the name",
        )


def _problem(point: EntryPoint, loaded: object) -> str | None:
    if not (isinstance(loaded, type) and issubclass(loaded, Adapter)):
        return f"{point.value} is not a subclass of gateway.adapters.Adapter"
    if getattr(loaded, "__abstractmethods__", None):
        missing = ", ".join(sorted(loaded.__abstractmethods__))
        return f"{point.value} does not implement {missing}"
    name = getattr(loaded, "name", None)
    if name != point.name:
        return f"{point.value}.name is {name!r}, but the entry point is called {point.name!r}"
    if not ADAPTER_NAME.match(point.name):
        return f"adapter name {point.name!r} must be lowercase letters, digits and '_' or '-'"
    return None
