"""Stopping, restarting and resetting a reference server: state lives in its SQLite file."""

from __future__ import annotations

import aiohttp
import pytest

from gateway.exceptions import GatewayError
from gateway.reference import ReferenceServer
from tests.unit.reference.conftest import Api, Start
from tests.unit.reference.samples import Sample


async def test_a_stopped_server_refuses_connections_and_restarts_on_its_port(
    api: Api, server: ReferenceServer, sample: Sample
) -> None:
    first = await api.call(sample.method, sample.path, sample.body, key="k-1")
    port = server.port
    await server.stop()
    assert not server.running
    with pytest.raises(aiohttp.ClientConnectorError):
        await api.call(sample.method, sample.path, sample.body, key="k-1")
    assert await server.start(port=port) == port
    replay = await api.call(sample.method, sample.path, sample.body, key="k-1")
    assert (replay.status, replay.body) == (200, first.body)
    assert replay.headers["Idempotent-Replay"] == "true"
    assert (await api.call("GET", sample.read(first.body))).status == 200


async def test_a_new_server_on_the_same_file_has_the_same_state(
    start: Start, session: aiohttp.ClientSession, server: ReferenceServer, sample: Sample
) -> None:
    first = await Api(session, server).call(sample.method, sample.path, sample.body, key="k-1")
    await server.stop()
    server.close()
    again = Api(session, await start(sample.server, db=server.store.path))
    assert (await again.call("GET", sample.read(first.body))).status == 200
    replay = await again.call(sample.method, sample.path, sample.body, key="k-1")
    assert replay.body == first.body
    assert await again.stats() == {"requests": 2, "applied": 1, "replays": 1, "faults_served": 0}


async def test_reset_wipes_state_counters_and_faults(api: Api, sample: Sample) -> None:
    first = await api.call(sample.method, sample.path, sample.body, key="k-1")
    await api.fault(status=500, paths=["/api/v1/elsewhere"])
    assert (await api.call("POST", "/_reference/reset")).body == {"reset": True}
    assert (await api.call("GET", sample.read(first.body))).status == 404
    assert await api.stats() == {"requests": 0, "applied": 0, "replays": 0, "faults_served": 0}
    assert (await api.call("GET", "/_reference/faults")).body == {"faults": []}
    assert (await api.call(sample.method, sample.path, sample.body, key="k-1")).status == 201


async def test_a_started_server_cannot_start_again(server: ReferenceServer) -> None:
    with pytest.raises(GatewayError, match="already listens"):
        await server.start()


async def test_a_busy_port_is_a_gateway_error(start: Start, server: ReferenceServer) -> None:
    other = await start(type(server), db=":memory:")
    await other.stop()
    with pytest.raises(GatewayError, match="cannot listen"):
        await other.start(port=server.port)
