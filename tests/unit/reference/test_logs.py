"""The reference servers log events with route patterns, never bodies or ids from the path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

from gateway.reference import base
from tests.unit.reference.conftest import Api
from tests.unit.reference.samples import Sample


@pytest.fixture
def debug_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every level reaches capture_logs, whatever an earlier test configured (the CLI caches
    an info-level logger on first use); restored after."""
    saved = structlog.get_config()
    structlog.reset_defaults()
    monkeypatch.setattr(base, "log", structlog.get_logger(base.__name__))
    yield
    structlog.configure(**saved)


@pytest.mark.usefixtures("debug_logs")
async def test_logs_carry_no_request_data(api: Api, sample: Sample) -> None:
    marker = "Karimov Alisher 31234567890123"
    with structlog.testing.capture_logs() as logs:
        await api.call(sample.method, sample.path, sample.body, key="k-1")
        await api.call(sample.method, sample.path, sample.body | {"note": marker}, key="k-2")
    assert [entry["status"] for entry in logs if entry["event"] == "reference_request"] == [
        201,
        400,
    ]
    text = repr(logs)
    assert marker not in text
    assert "k-1" not in text
    for value in ("case-1", "2025-03", "msg-1", "st-1"):
        assert value not in text
