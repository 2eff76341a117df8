"""What every reference server does the same way: idempotent mutations and bearer-token auth."""

from __future__ import annotations

from tests.unit.reference.conftest import Api
from tests.unit.reference.samples import Sample


async def test_a_mutation_is_applied_and_readable(api: Api, sample: Sample) -> None:
    answer = await api.call(sample.method, sample.path, sample.body)
    assert answer.status == 201
    assert "Idempotent-Replay" not in answer.headers
    read = await api.call("GET", sample.read(answer.body))
    assert read.status == 200
    assert await api.stats() == {"requests": 1, "applied": 1, "replays": 0, "faults_served": 0}


async def test_a_repeat_with_the_same_key_replays_the_stored_answer(
    api: Api, sample: Sample
) -> None:
    first = await api.call(sample.method, sample.path, sample.body, key="k-1")
    again = await api.call(sample.method, sample.path, sample.body, key="k-1")
    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body
    assert again.headers["Idempotent-Replay"] == "true"
    assert await api.stats() == {"requests": 2, "applied": 1, "replays": 1, "faults_served": 0}


async def test_the_same_key_with_another_body_is_refused(api: Api, sample: Sample) -> None:
    await api.call(sample.method, sample.path, sample.body, key="k-1")
    reused = await api.call(sample.method, sample.path, sample.other_body, key="k-1")
    assert reused.status == 422
    assert reused.error["code"] == "idempotency_key_reused"
    assert (await api.stats())["applied"] == 1


async def test_the_key_binds_the_canonical_body_not_its_spelling(api: Api, sample: Sample) -> None:
    await api.call(sample.method, sample.path, sample.body, key="k-1")
    reordered = dict(reversed(sample.body.items()))
    again = await api.call(sample.method, sample.path, reordered, key="k-1")
    assert again.status == 200
    assert again.headers["Idempotent-Replay"] == "true"


async def test_a_mutation_without_a_key_is_refused(api: Api, sample: Sample) -> None:
    answer = await api.call(sample.method, sample.path, sample.body, key="")
    assert answer.status == 400
    assert answer.error == {
        "code": "missing_idempotency_key",
        "message": "the Idempotency-Key header is required",
        "field": None,
    }
    assert (await api.stats())["applied"] == 0


async def test_a_refused_request_stores_nothing_under_its_key(api: Api, sample: Sample) -> None:
    bad = await api.call(sample.method, sample.path, sample.body | {"pinfl": "x"}, key="k-1")
    assert bad.status == 400
    assert bad.error["code"] == "unexpected_field"
    assert bad.error["field"] == "pinfl"
    fixed = await api.call(sample.method, sample.path, sample.body, key="k-1")
    assert fixed.status == 201


async def test_a_body_that_is_not_json_is_refused(api: Api, sample: Sample) -> None:
    for raw in (b"{", b'{"size": NaN}', b"\xff"):
        answer = await api.call(sample.method, sample.path, raw=raw)
        assert answer.status == 400
        assert answer.error["code"] == "invalid_json"
    answer = await api.call(sample.method, sample.path, [sample.body])
    assert answer.error == {
        "code": "invalid_type",
        "message": "the body must be a JSON object",
        "field": None,
    }


async def test_api_requests_need_the_token(api: Api, sample: Sample) -> None:
    for token in (None, "wrong"):
        answer = await api.call(sample.method, sample.path, sample.body, token=token)
        assert answer.status == 401
        assert answer.error["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await api.call("GET", sample.read({"document_id": "x"}), token=token)).status == 401
    assert (await api.call("GET", "/_reference/stats", token=None)).status == 200
    assert (await api.stats())["applied"] == 0


async def test_unknown_routes_and_methods_answer_json_errors(api: Api) -> None:
    missing = await api.call("GET", "/api/v1/nothing")
    assert (missing.status, missing.error["code"]) == (404, "not_found")
    wrong = await api.call("PATCH", "/_reference/stats")
    assert (wrong.status, wrong.error["code"]) == (405, "method_not_allowed")
    assert "GET" in wrong.headers["Allow"]
