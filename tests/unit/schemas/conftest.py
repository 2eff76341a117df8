"""Shared fixtures of the schema tests: the shipped registry, loaded once per session."""

from __future__ import annotations

import pytest

from gateway.schemas import SchemaRegistry


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()
