from __future__ import annotations

import json

import pytest
import structlog

from gateway.logs import REDACTED, configure_logging, redact_personal_data


def test_personal_keys_and_pinfl_values_are_redacted() -> None:
    event = redact_personal_data(
        None,
        "info",
        {
            "event": "request_routed",
            "message_id": "m-1",
            "pinfl": "31234567890123",
            "note": "applicant 31234567890123 asked",
            "extra": {"surname": "Karimov", "service": "S-1"},
            "stir": "201000001",
        },
    )
    assert event["pinfl"] == REDACTED
    assert event["note"] == f"applicant {REDACTED} asked"
    assert event["extra"] == {"surname": REDACTED, "service": "S-1"}
    assert event["message_id"] == "m-1"
    assert event["stir"] == "201000001"


def test_json_output_has_no_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "info")
    structlog.get_logger().info("case_opened", case_id="c-1", given_name="Dilnoza")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "case_opened"
    assert line["given_name"] == REDACTED
    structlog.reset_defaults()
