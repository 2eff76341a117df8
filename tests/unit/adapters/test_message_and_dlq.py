"""Adapter-topic records decode once; dead letters keep the original and say why; settings
name their source when wrong."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.adapters import decode_adapter_record, load_adapter_settings
from gateway.adapters.dlq import (
    DeadLetter,
    choose,
    dead_letter_output,
    replay_output,
    summary,
)
from gateway.adapters.http import retry_after_seconds
from gateway.adapters.portal import PortalSettings
from gateway.envelope import EnvelopeCodec
from gateway.exceptions import ConfigError, DecodeError, DeliveryError
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_request, sample_status
from gateway.signing import Signer, init_pki

AT = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_an_envelope_decodes_to_its_body_with_routing_facts(
    registry: SchemaRegistry, codec: EnvelopeCodec, tmp_path: Path
) -> None:
    record = sample_request()
    org = record["sender"]["code"]
    ident = init_pki(tmp_path / "pki", [org]).orgs[org]
    raw = codec.seal("Request", record, Signer.from_files(ident.key, ident.cert))
    headers = [
        ("gateway.received_at", b"2026-11-23T05:00:00+00:00"),
        ("gateway.deadline", b"2026-11-24T13:00:00+00:00"),
    ]
    message = decode_adapter_record(registry, raw, headers=headers, topic="t", offset=3)
    assert message.kind == "Request"
    assert message.idempotency_key == record["message_id"]
    assert message.record["applicant"]["pinfl"] == record["applicant"]["pinfl"]
    assert message.received_at == AT
    assert message.deadline == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert message.requester == org
    assert message.late is False
    assert message.raw == raw


def test_a_status_is_keyed_by_its_event_id(registry: SchemaRegistry) -> None:
    status = sample_status(event_id="c1.overdue", case_id="c1", message_id="c1", stage="overdue")
    raw = registry.encode_single("Status", status)
    message = decode_adapter_record(registry, raw, headers=[("stage", b"overdue")])
    assert message.kind == "Status"
    assert (message.idempotency_key, message.case_id) == ("c1.overdue", "c1")
    assert message.headers == {"stage": "overdue"}


def test_records_that_do_not_belong_are_refused(registry: SchemaRegistry) -> None:
    with pytest.raises(DecodeError):
        decode_adapter_record(registry, b"not avro at all")
    receipt = registry.encode_single("Request", sample_request())
    with pytest.raises(DecodeError, match="does not belong"):
        decode_adapter_record(registry, receipt)


def test_a_dead_letter_keeps_the_record_and_says_why(registry: SchemaRegistry) -> None:
    status = sample_status(event_id="c1.overdue", case_id="c1", message_id="c1", stage="overdue")
    raw = registry.encode_single("Status", status)
    message = decode_adapter_record(
        registry, raw, headers=[("stage", b"overdue")], key=b"c1", topic="exchange.adapter.x"
    )
    error = DeliveryError("400 bad", retriable=False, code="invalid_value", status=400)
    out = dead_letter_output(
        "x",
        message,
        error,
        attempts=1,
        first_attempt=AT,
        last_attempt=AT,
        original_headers=(("stage", b"overdue"),),
    )
    assert (out.topic, out.key, out.value) == ("exchange.adapter-dlq.x", b"c1", raw)
    letter = DeadLetter(7, out.key, out.value, out.headers, AT)
    row = summary(letter)
    assert (row["id"], row["code"], row["status"], row["attempts"]) == (
        "c1.overdue",
        "invalid_value",
        "400",
        "1",
    )
    again = replay_output("x", letter, at=AT)
    assert again.topic == "exchange.adapter.x"
    assert again.value == raw
    names = [k for k, _ in again.headers]
    assert names[0] == "stage"
    assert not any(k.startswith("__connect") for k in names)
    assert ("dlq.replayed_from_offset", b"7") in again.headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0", 0.0), (None, None), ("soon", None), ("", None)],
)
def test_retry_after_in_seconds(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header) == expected


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 23, 5, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds("Mon, 23 Nov 2026 05:00:30 GMT", now_s=now) == 30.0


def test_adapter_settings_come_from_env_then_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[adapters.portal-2]\nbase_url = "http://file:1"\ntimeout_s = 4\n')
    monkeypatch.setenv("GATEWAY_ADAPTER_PORTAL_2_BASE_URL", "http://env:2")
    settings = load_adapter_settings(PortalSettings, "portal-2", config)
    assert settings.url == "http://env:2"
    assert settings.timeout_s == 4


def test_a_bad_adapter_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_ADAPTER_PORTAL_TIMEOUT_S", "-1")
    with pytest.raises(ConfigError, match="GATEWAY_ADAPTER_PORTAL_TIMEOUT_S"):
        load_adapter_settings(PortalSettings, "portal")


def test_the_default_settings_of_the_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GATEWAY_ADAPTER_PORTAL_"):
            monkeypatch.delenv(name)
    assert load_adapter_settings(PortalSettings, "portal").url == "http://127.0.0.1:8083"


def _letter(offset: int, ident: str, message_id: str) -> DeadLetter:
    headers = (("dlq.idempotency_key", ident.encode()), ("dlq.message_id", message_id.encode()))
    return DeadLetter(offset, None, b"v", headers, AT)


def test_choose_the_newest_letter_of_a_message_or_of_every_message() -> None:
    letters = [_letter(1, "a", "m-a"), _letter(2, "b", "m-b"), _letter(3, "a", "m-a")]
    assert [x.offset for x in choose(letters, "a")] == [3]
    assert [x.offset for x in choose(letters, "m-b")] == [2]  # by message id too
    assert choose(letters, "zzz") == []
    assert sorted(x.offset for x in choose(letters, None)) == [2, 3]
