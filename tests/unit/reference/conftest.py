"""Reference servers on 127.0.0.1 with their state in the test's folder, and a client for them.

``start`` makes and starts a server (stopped and closed after the test); ``api`` sends real HTTP
requests on the loopback, with the server's token and a fresh Idempotency-Key unless told
otherwise. Connections are not pooled, so a request after ``stop()`` meets a closed port.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.reference import DEFAULT_TOKEN, ReferenceServer
from tests.unit.reference.samples import SAMPLES, Sample

Start = Callable[..., Awaitable[ReferenceServer]]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> dict[str, Any]:
        """The error object of an error answer."""
        assert set(self.body) == {"error"}, self.body
        return dict(self.body["error"])


class Api:
    """Sends requests to one server; ``key=None`` sends a fresh key, ``key=""`` none at all."""

    def __init__(self, session: aiohttp.ClientSession, server: ReferenceServer) -> None:
        self.session = session
        self.server = server

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        token: str | None = DEFAULT_TOKEN,
        raw: bytes | None = None,
        timeout: float = 10.0,
    ) -> Reply:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if method in {"POST", "PUT"} and not path.startswith("/_reference/") and key != "":
            headers["Idempotency-Key"] = key or uuid.uuid4().hex
        data = raw if raw is not None else (None if body is None else _json(body))
        async with self.session.request(
            method,
            self.server.url + path,
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as answer:
            return Reply(answer.status, dict(answer.headers), await answer.json())

    async def stats(self) -> dict[str, int]:
        reply = await self.call("GET", "/_reference/stats")
        assert reply.status == 200
        return dict(reply.body)

    async def fault(self, **fault: Any) -> None:
        reply = await self.call("POST", "/_reference/faults", fault)
        assert reply.status == 201, reply.body


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    made: list[ReferenceServer] = []

    async def make(
        kind: type[ReferenceServer], *, db: Path | None = None, **options: Any
    ) -> ReferenceServer:
        server = kind(db or tmp_path / f"{kind.name}.sqlite", **options)
        made.append(server)
        await server.start()
        return server

    yield make
    for server in made:
        await server.stop()
        server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
        yield client


@pytest.fixture(params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest) -> Sample:
    """Each reference server's sample mutation, in turn."""
    return SAMPLES[request.param]


@pytest.fixture
async def server(start: Start, sample: Sample) -> ReferenceServer:
    """The sample's server, started."""
    return await start(sample.server)


@pytest.fixture
def api(session: aiohttp.ClientSession, server: ReferenceServer) -> Api:
    return Api(session, server)
