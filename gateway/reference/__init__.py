"""Reference HTTP servers of the external systems the gateway notifies, and their contracts.

No public API description of E-qaror, NIS.UZ or the state services portal exists, so the
project defines the contracts (``docs/openapi/*.yaml``) and ships a server for each, used by
the tests, the demo and integrators: SQLite state, bearer-token auth, idempotent mutations
(``Idempotency-Key``) and fault injection under ``/_reference/``. A fourth, ``generic``, is
the message sink that adapters made by ``gateway adapters new`` deliver to until an
integrator points them at their own system. Run one with ``gateway reference serve NAME``.
"""

from __future__ import annotations

from gateway.reference._faults import Fault
from gateway.reference.base import DEFAULT_TOKEN, ReferenceServer
from gateway.reference.eqaror import EqarorServer
from gateway.reference.exceptions import ApiError, Code
from gateway.reference.generic import GenericServer
from gateway.reference.nisuz import NisuzServer
from gateway.reference.portal import PortalServer

__all__ = [
    "DEFAULT_TOKEN",
    "REFERENCE_SERVERS",
    "ApiError",
    "Code",
    "EqarorServer",
    "Fault",
    "GenericServer",
    "NisuzServer",
    "PortalServer",
    "ReferenceServer",
]

REFERENCE_SERVERS: dict[str, type[ReferenceServer]] = {
    "eqaror": EqarorServer,
    "generic": GenericServer,
    "nisuz": NisuzServer,
    "portal": PortalServer,
}
"""Every reference server by the name ``gateway reference serve`` takes."""
