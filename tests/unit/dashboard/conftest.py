"""A dashboard source with fixed data: the worker's side, without the worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from gateway.dashboard import Tokens

OBSERVER = "Bearer obs-token"
OPERATOR = "Bearer op-token"

TIMELINE = [
    {
        "event_id": "e1",
        "message_id": "m-1",
        "stage": "received",
        "at": "2025-03-03T10:00:00+05:00",
        "actor": "201000001",
        "deadline": "2025-03-17T18:00:00+05:00",
        "detail": {"service": "svc"},
    },
    {
        "event_id": "e2",
        "message_id": "m-1",
        "stage": "accepted",
        "at": "2025-03-03T10:00:01+05:00",
        "actor": "gateway",
        "deadline": None,
        "detail": {"note": "<script>alert(1)</script>"},
    },
]


class FixedSource:
    """Answers from fixed data and remembers the replays asked for."""

    def __init__(self) -> None:
        self.replayed: list[tuple[str, str]] = []
        self.fail = False

    async def overview(self) -> Mapping[str, Any]:
        if self.fail:
            raise RuntimeError("table not ready")
        return {
            "generated_at": "2025-03-03T10:00:05+05:00",
            "throughput": {"at": [], "rates": {}, "current": {}, "totals": {}},
            "rejections": [{"reason": "bad_signature", "count": 2, "share": 1.0}],
            "cases_by_body": [],
            "rating": [],
            "lag": [],
        }

    async def find(self, ident: str) -> Mapping[str, Any] | None:
        if ident not in {"m-1", "c-1"}:
            return None
        return {"case_id": "c-1", "case": None, "timeline": TIMELINE}

    async def dead_letters(self) -> Sequence[Mapping[str, str]]:
        return [
            {
                "adapter": "portal",
                "id": "dl-1",
                "message_id": "m-9",
                "reason": "delivery_failed",
                "status": "dead",
                "attempts": "5",
                "at": "2025-03-03T09:00:00+05:00",
            }
        ]

    async def replay(self, adapter: str, ident: str) -> int:
        if (adapter, ident) != ("portal", "dl-1"):
            raise KeyError(ident)
        self.replayed.append((adapter, ident))
        return 1


@pytest.fixture
def source() -> FixedSource:
    return FixedSource()


@pytest.fixture
def tokens() -> Tokens:
    return Tokens(observer="obs-token", operator="op-token")
