"""What the dashboard reads from and acts on: the protocol the worker implements.

The routes in :mod:`gateway.dashboard.web` only call these four methods, so the dashboard
can be served (and tested) over any object that has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

__all__ = ["DashboardSource"]


class DashboardSource(Protocol):
    """The worker's side of the dashboard."""

    async def overview(self) -> Mapping[str, Any]:
        """The figures, JSON-ready, built with :mod:`gateway.dashboard.views`.

        ``{"generated_at", "throughput", "rejections", "cases_by_body", "rating", "lag"}``.
        """
        ...

    async def find(self, ident: str) -> Mapping[str, Any] | None:
        """A case and its timeline by message id or case id; None when nothing matches.

        ``{"case_id", "case": dict | None, "timeline": [{"event_id", "message_id", "stage",
        "at", "actor", "deadline", "detail"}]}`` with ISO 8601 times.
        """
        ...

    async def dead_letters(self) -> Sequence[Mapping[str, str]]:
        """Dead-lettered deliveries: each ``{"adapter", "id", "message_id", "reason",
        "status", "attempts", "at"}``."""
        ...

    async def replay(self, adapter: str, ident: str) -> int:
        """Send the dead letter ``ident`` of ``adapter`` again; how many records were replayed.

        Raises ``KeyError`` when no dead letter matches.
        """
        ...
