"""Fault injection through /_reference/faults, on every reference server."""

from __future__ import annotations

import asyncio

import pytest

from tests.unit.reference.conftest import Api
from tests.unit.reference.samples import Sample


@pytest.mark.parametrize("status", [500, 400, 503])
async def test_a_fault_answers_before_anything_is_applied(
    api: Api, sample: Sample, status: int
) -> None:
    await api.fault(status=status, count=1)
    faulted = await api.call(sample.method, sample.path, sample.body, key="k-1", token=None)
    assert faulted.status == status
    assert faulted.error["code"] == "injected_fault"
    assert "Retry-After" not in faulted.headers
    retried = await api.call(sample.method, sample.path, sample.body, key="k-1")
    assert retried.status == 201
    assert await api.stats() == {"requests": 2, "applied": 1, "replays": 0, "faults_served": 1}


async def test_429_carries_retry_after(api: Api, sample: Sample) -> None:
    await api.fault(status=429, retry_after=7, count=1)
    answer = await api.call(sample.method, sample.path, sample.body)
    assert answer.status == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.error["code"] == "injected_fault"


async def test_a_fault_without_count_lasts_until_cleared(api: Api, sample: Sample) -> None:
    await api.fault(status=503, retry_after=30)
    for _ in range(3):
        answer = await api.call(sample.method, sample.path, sample.body, key="k-1")
        assert (answer.status, answer.headers["Retry-After"]) == (503, "30")
    listed = await api.call("GET", "/_reference/faults")
    assert listed.body["faults"] == [
        {"status": 503, "count": None, "retry_after": 30.0, "delay_s": 0.0, "paths": None}
    ]
    cleared = await api.call("DELETE", "/_reference/faults")
    assert cleared.body == {"cleared": 1}
    assert (await api.call(sample.method, sample.path, sample.body, key="k-1")).status == 201


async def test_faults_are_served_in_the_order_set(api: Api, sample: Sample) -> None:
    await api.fault(status=500, count=2)
    await api.fault(status=429, count=1)
    seen = [(await api.call("GET", "/api/v1/nothing")).status for _ in range(4)]
    assert seen == [500, 500, 429, 404]


async def test_a_fault_serves_only_its_path_prefixes(api: Api, sample: Sample) -> None:
    await api.fault(status=500, paths=["/api/v1/elsewhere"])
    assert (await api.call(sample.method, sample.path, sample.body)).status == 201
    assert (await api.call("GET", "/api/v1/elsewhere/1")).status == 500


async def test_a_delay_makes_the_client_time_out(api: Api, sample: Sample) -> None:
    await api.fault(status=503, delay_s=30, count=1)
    with pytest.raises(TimeoutError):
        await api.call(sample.method, sample.path, sample.body, key="k-1", timeout=0.2)
    assert (await api.call(sample.method, sample.path, sample.body, key="k-1")).status == 201


async def test_a_delay_without_status_still_applies(api: Api, sample: Sample) -> None:
    await api.fault(delay_s=0.2, count=1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    answer = await api.call(sample.method, sample.path, sample.body)
    assert loop.time() - began >= 0.2
    assert answer.status == 201
    assert await api.stats() == {"requests": 1, "applied": 1, "replays": 0, "faults_served": 1}


@pytest.mark.parametrize(
    ("fault", "field", "code"),
    [
        ({"status": 200}, "status", "invalid_value"),
        ({"status": 700}, "status", "invalid_value"),
        ({"status": "500"}, "status", "invalid_type"),
        ({"status": 500, "retry_after": 3}, "retry_after", "invalid_value"),
        ({"status": 500, "count": 0}, "count", "invalid_value"),
        ({"status": 500, "delay_s": -1}, "delay_s", "invalid_value"),
        ({"status": 500, "paths": [3]}, "paths[0]", "invalid_type"),
        ({"status": 500, "colour": "red"}, "colour", "unexpected_field"),
        ({}, "status", "missing_field"),
    ],
)
async def test_a_wrong_fault_is_refused(
    api: Api, fault: dict[str, object], field: str, code: str
) -> None:
    answer = await api.call("POST", "/_reference/faults", fault)
    assert answer.status == 400
    assert (answer.error["field"], answer.error["code"]) == (field, code)
    assert (await api.call("GET", "/_reference/faults")).body == {"faults": []}
