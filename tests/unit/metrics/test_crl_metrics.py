"""The CRL gauges follow the state they are given: next update, refused files, intake held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from gateway.metrics import CrlMetrics
from gateway.signing import CrlFailure, CrlState

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _scrape(state: CrlState | None) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(CrlMetrics(lambda: state))
    text = generate_latest(registry).decode()
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}


def _state(**over: object) -> CrlState:
    values: dict[str, object] = {
        "at": AT,
        "files": 1,
        "revoked": 2,
        "next_update": AT + timedelta(hours=1),
        "next_update_file": "crl.pem",
        "expired": False,
        "fail_closed": True,
        "grace": timedelta(0),
        "failures": (),
    }
    values.update(over)
    return CrlState(**values)  # type: ignore[arg-type]


def test_in_date() -> None:
    assert _scrape(_state()) == {
        "gateway_crl_next_update_seconds": (AT + timedelta(hours=1)).timestamp(),
        "gateway_crl_reload_failing": 0.0,
        "gateway_crl_revoked_certificates": 2.0,
        "gateway_crl_intake_held": 0.0,
    }


def test_expired_and_refused() -> None:
    failure = CrlFailure("crl.pem", "garbage", in_force=True)
    seen = _scrape(_state(expired=True, failures=(failure,)))
    assert seen["gateway_crl_intake_held"] == 1.0
    assert seen["gateway_crl_reload_failing"] == 1.0
    assert _scrape(_state(expired=True, fail_closed=False))["gateway_crl_intake_held"] == 0.0


def test_no_crl_no_samples() -> None:
    assert _scrape(None) == {}
    assert "gateway_crl_next_update_seconds" not in _scrape(_state(next_update=None))
