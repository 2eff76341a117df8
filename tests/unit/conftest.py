"""Fixtures shared by the unit tests: the schema registry and the envelope codec, once a session."""

from __future__ import annotations

import pytest

from gateway.envelope import EnvelopeCodec
from gateway.schemas import SchemaRegistry


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


@pytest.fixture(scope="session")
def codec(registry: SchemaRegistry) -> EnvelopeCodec:
    return EnvelopeCodec(registry)
