"""The shared base of the reference servers: HTTP app, SQLite state, auth, idempotency, faults.

A system's server subclasses :class:`ReferenceServer`, names its SQL ``schema`` and registers
its routes in :meth:`~ReferenceServer.add_routes` with :meth:`~ReferenceServer.mutation` (the
base makes it idempotent) and :meth:`~ReferenceServer.query`. Every request passes, in order:
the error middleware (any error becomes ``{"error": {...}}``), fault injection, bearer-token
authentication (not for ``/_reference/*``), then the route.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import hmac
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

import structlog
from aiohttp import web

from gateway.exceptions import GatewayError
from gateway.reference import _validate as v
from gateway.reference._answers import Answer, error_answer, from_http_error, json_answer
from gateway.reference._control import add_control_routes
from gateway.reference._faults import Fault, FaultBook
from gateway.reference._store import Recorded, Store
from gateway.reference.exceptions import COMMON_CODES, ApiError, Code

__all__ = ["CONTROL_PREFIX", "DEFAULT_TOKEN", "Answer", "ReferenceServer"]

log = structlog.get_logger(__name__)

DEFAULT_TOKEN = "reference-token"  # noqa: S105 -- the documented token of a local test server
CONTROL_PREFIX = "/_reference/"
_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


Mutation = Callable[[web.Request, object], Answer]
"""A mutating route: gets the request and its parsed JSON body; runs inside one transaction."""

Query = Callable[[web.Request], v.JsonObject]
"""A read-only route: gets the request, returns the JSON body of a 200."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ReferenceServer(abc.ABC):
    """A reference HTTP server of one external system, its state in one SQLite file.

    ``db_path`` is the file (created with its folder; ``":memory:"`` for throw-away state);
    ``token`` is the bearer token API requests must carry; ``clock`` returns the current time
    (registration dates, ``stored_at``), for tests that need a fixed year.
    """

    name: ClassVar[str] = "reference"
    schema: ClassVar[str] = ""
    error_codes: ClassVar[frozenset[Code]] = COMMON_CODES

    def __init__(
        self,
        db_path: Path | str,
        *,
        token: str = DEFAULT_TOKEN,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = Store(db_path, self.schema)
        self.faults = FaultBook()
        self._token = f"Bearer {token}".encode()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._stopping = asyncio.Event()
        self.app = web.Application(middlewares=[self._errors, self._inject_faults, self._auth])
        add_control_routes(self)
        self.add_routes()

    @abc.abstractmethod
    def add_routes(self) -> None:
        """Register the system's API routes with :meth:`mutation` and :meth:`query`."""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0: a free port) and return the port; state is kept."""
        if self._runner is not None:
            raise GatewayError(f"the {self.name} reference server already listens at {self.url}")
        self._stopping = asyncio.Event()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            raise GatewayError(
                f"the {self.name} reference server cannot listen on {host}:{port}: {exc}",
                hint="choose another --port, or stop what listens there",
            ) from exc
        self._runner, self._host, self._port = runner, host, int(runner.addresses[0][1])
        log.info("reference_started", server=self.name, url=self.url)
        return self._port

    async def stop(self) -> None:
        """Close the listening socket and open connections; clients then get refused.

        Requests held by a ``delay_s`` fault are woken and answered 503. The database stays
        open: :meth:`start` (on the same port, say) serves the same state again.
        """
        if self._runner is None:
            return
        self._stopping.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        log.info("reference_stopped", server=self.name)

    def close(self) -> None:
        """Close the database file (after :meth:`stop`); the object cannot serve again."""
        self.store.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        self.close()

    @property
    def running(self) -> bool:
        """True while the server listens."""
        return self._runner is not None

    @property
    def port(self) -> int:
        """The port of the last :meth:`start` (kept after :meth:`stop`, to start there again)."""
        if self._port is None:
            raise GatewayError(f"the {self.name} reference server was never started")
        return self._port

    @property
    def url(self) -> str:
        """``http://host:port`` of the last :meth:`start`."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    def now(self) -> datetime:
        """The current time in UTC, from the clock given to the constructor."""
        return self._clock().astimezone(UTC)

    # -- control, from Python (the same as the /_reference routes) --------------------------

    def inject_fault(
        self,
        *,
        status: int | None = None,
        count: int | None = None,
        retry_after: float | None = None,
        delay_s: float = 0.0,
        paths: Iterable[str] = (),
    ) -> Fault:
        """Set a fault (see :mod:`gateway.reference._faults`); ``ApiError`` if it is invalid."""
        fault = Fault(status, count, retry_after, delay_s, tuple(paths))
        self.faults.add(fault)
        log.info("reference_fault_set", server=self.name, **fault.as_json())
        return fault

    def clear_faults(self) -> int:
        """Drop every fault; returns how many were in force."""
        return self.faults.clear()

    def stats(self) -> dict[str, int]:
        """The counters: ``requests``, ``applied``, ``replays``, ``faults_served``."""
        return self.store.counters()

    def reset(self) -> None:
        """Wipe the state: every table, idempotency record, counter and fault."""
        self.faults.clear()
        self.store.wipe()
        log.info("reference_reset", server=self.name)

    # -- routes ------------------------------------------------------------------------------

    def mutation(self, method: str, path: str, route: Mutation) -> None:
        """Register an idempotent mutating route (``Idempotency-Key`` required)."""

        async def handle(request: web.Request) -> web.StreamResponse:
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                raise ApiError(
                    400, Code.MISSING_IDEMPOTENCY_KEY, "the Idempotency-Key header is required"
                )
            if len(key) > 255:
                raise ApiError(400, Code.INVALID_VALUE, "Idempotency-Key is over 255 characters")
            body = v.parse_json(await request.read())
            seal = v.fingerprint(request.method, request.path, body)
            with self.store.transaction():
                recorded = self.store.recall(key)
                if recorded is not None:
                    if recorded.fingerprint != seal:
                        raise ApiError(
                            422,
                            Code.IDEMPOTENCY_KEY_REUSED,
                            "this Idempotency-Key was used for a different request",
                        )
                    self.store.bump("replays")
                    return json_answer(recorded.answer, headers={"Idempotent-Replay": "true"})
                answer = route(request, body)
                self.store.remember(key, Recorded(seal, answer.status, answer.body))
                self.store.bump("applied")
            return json_answer(answer.body, answer.status)

        self.app.router.add_route(method, path, handle)

    def query(self, path: str, route: Query) -> None:
        """Register a read-only ``GET`` route."""

        async def handle(request: web.Request) -> web.StreamResponse:
            return json_answer(route(request))

        self.app.router.add_get(path, handle)

    # -- middlewares -------------------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Turn every error into the JSON error body, and log one event per request."""
        try:
            response = await handler(request)
        except ApiError as exc:
            response = error_answer(exc)
        except web.HTTPException as exc:
            error = from_http_error(exc)
            if error is None:
                raise
            response = error_answer(error)
        except Exception:
            log.exception("reference_internal_error", server=self.name, method=request.method)
            error = ApiError(500, Code.INTERNAL_ERROR, "the reference server failed; see its log")
            response = error_answer(error)
        resource = request.match_info.route.resource
        log.debug(
            "reference_request",
            server=self.name,
            method=request.method,
            route=resource.canonical if resource is not None else None,
            status=response.status,
            replay="Idempotent-Replay" in response.headers,
        )
        return response

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count API mutations; serve the first fault in force for the path, if any."""
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        if request.method in _MUTATING and request.match_info.http_exception is None:
            self.store.bump("requests")
        fault = self.faults.take(request.path)
        if fault is None:
            return await handler(request)
        self.store.bump("faults_served")
        if fault.delay_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.delay_s)
            if self._stopping.is_set():
                raise ApiError(503, Code.INJECTED_FAULT, "the reference server is stopping")
        if fault.status is not None:
            raise fault.error()
        return await handler(request)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse API requests without ``Authorization: Bearer <token>`` with a 401."""
        if not request.path.startswith(CONTROL_PREFIX):
            given = request.headers.get("Authorization", "").encode("utf-8", "replace")
            if not hmac.compare_digest(given, self._token):
                raise ApiError(
                    401,
                    Code.UNAUTHORIZED,
                    "send Authorization: Bearer <token> with the server's token",
                    headers={"WWW-Authenticate": 'Bearer realm="reference"'},
                )
        return await handler(request)
