"""The OpenAPI documents in docs/openapi/ describe exactly what the reference servers serve."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.reference import REFERENCE_SERVERS, ReferenceServer

DOCS = Path(__file__).resolve().parents[3] / "docs" / "openapi"
MUTATING = {"post", "put", "patch", "delete"}


def load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((DOCS / f"{name}.yaml").read_text(encoding="utf-8")))


@pytest.fixture(params=sorted(REFERENCE_SERVERS))
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(name: str) -> Iterator[ReferenceServer]:
    made = REFERENCE_SERVERS[name](":memory:")
    yield made
    made.close()


def served(server: ReferenceServer) -> set[tuple[str, str]]:
    """(method, path) of every API route the app registers."""
    return {
        (route.method.lower(), route.resource.canonical)
        for route in server.app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and not route.resource.canonical.startswith("/_reference")
    }


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_route_is_documented_with_its_method(name: str, server: ReferenceServer) -> None:
    doc = load(name)
    assert doc["openapi"].startswith("3.1")
    assert served(server) == documented(doc)


def test_the_error_codes_are_the_servers(name: str, server: ReferenceServer) -> None:
    enum = load(name)["components"]["schemas"]["ErrorCode"]["enum"]
    assert sorted(enum) == sorted(str(code) for code in server.error_codes)


def test_every_reference_resolves(name: str) -> None:
    doc = load(name)
    for ref in refs(doc):
        assert resolve(doc, ref) is not None


def test_operations_declare_auth_idempotency_and_backpressure(name: str) -> None:
    doc = load(name)
    assert doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "own contract definition" in doc["info"]["description"]
    for method, path in documented(doc):
        operation = doc["paths"][path][method]
        responses = operation["responses"]
        assert {"401", "429", "503"} <= set(responses), (method, path)
        for status in ("429", "503"):
            assert "Retry-After" in resolve(doc, responses[status]["$ref"])["headers"]
        parameters = [p.get("$ref") for p in operation.get("parameters", [])]
        idempotent = "#/components/parameters/IdempotencyKey" in parameters
        assert idempotent == (method in MUTATING), (method, path)
        if idempotent:
            assert {"200", "201", "400", "422"} <= set(responses), (method, path)
            assert "Idempotent-Replay" in responses["200"]["headers"]
