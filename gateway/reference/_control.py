"""The control API of every reference server, under ``/_reference/`` and without a token.

Tests, the demo and integrators use it to inject faults, read the counters and wipe the state.
It is not part of the external systems' contracts, though each OpenAPI document describes it
(tag ``reference-control``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from gateway.reference import _validate as v
from gateway.reference._answers import json_answer
from gateway.reference._faults import parse_fault

if TYPE_CHECKING:
    from gateway.reference.base import ReferenceServer

__all__ = ["add_control_routes"]


def add_control_routes(server: ReferenceServer) -> None:
    """Register the ``/_reference/*`` routes of ``server``."""

    async def set_fault(request: web.Request) -> web.StreamResponse:
        """``POST /_reference/faults``: put a fault in force after those already set."""
        fault = parse_fault(v.parse_json(await request.read()))
        server.inject_fault(
            status=fault.status,
            count=fault.count,
            retry_after=fault.retry_after,
            delay_s=fault.delay_s,
            paths=fault.paths,
        )
        return json_answer({"fault": fault.as_json()}, 201)

    async def list_faults(_request: web.Request) -> web.StreamResponse:
        """``GET /_reference/faults``: the faults in force, in the order they are served."""
        return json_answer({"faults": [fault.as_json() for fault in server.faults.active()]})

    async def clear_faults(_request: web.Request) -> web.StreamResponse:
        """``DELETE /_reference/faults``: drop every fault."""
        return json_answer({"cleared": server.clear_faults()})

    async def stats(_request: web.Request) -> web.StreamResponse:
        """``GET /_reference/stats``: requests, applied, replays and faults served so far."""
        return json_answer(dict(server.stats()))

    async def reset(_request: web.Request) -> web.StreamResponse:
        """``POST /_reference/reset``: wipe every document, record, counter and fault."""
        server.reset()
        return json_answer({"reset": True})

    router = server.app.router
    router.add_post("/_reference/faults", set_fault)
    router.add_get("/_reference/faults", list_faults)
    router.add_delete("/_reference/faults", clear_faults)
    router.add_get("/_reference/stats", stats)
    router.add_post("/_reference/reset", reset)
