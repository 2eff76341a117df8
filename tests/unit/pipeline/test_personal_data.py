"""No personal data in Kafka headers, keys, events, rejection fields, dead-letter headers or logs.

Messages carry a recognisable fake PINFL and surname in their ids, codes and texts. Whatever
the gateway decides, the markers may appear only where the regulation needs the data: inside
the forwarded envelope, in the ``original`` bytes of the operators' Rejection, and in the
``message_id`` the signer's own Rejection echoes back (the signer wrote it). Everything else
(headers, keys, events, the other Rejection fields, dead-letter headers, log events) is
searched byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from gateway.adapters.dlq import DeadLetter, dead_letter_output, summary
from gateway.adapters.message import AdapterMessage
from gateway.exceptions import DeliveryError
from gateway.pipeline import Decision, Output
from gateway.schemas.samples import sample_attachment, sample_request

from .conftest import HOLDER, REQUESTER, Exchange, new_request, new_response

PINFL = "31207881234567"  # fake, and not a valid PINFL
NAME = "Qodirova"
MARKERS = (PINFL.encode(), NAME.encode(), NAME.upper().encode())


def leaks(data: bytes) -> list[bytes]:
    return [m for m in MARKERS if m in data]


def applicant(**changes: Any) -> dict[str, Any]:
    return {**sample_request()["applicant"], "surname": NAME, **changes}


Send = Callable[[Exchange], Decision]


def request(**fields: Any) -> Send:
    def send(ex: Exchange) -> Decision:
        return ex.send("Request", new_request(**{"applicant": applicant(), **fields}))[0]

    return send


def envelope(change: Callable[[dict[str, Any]], None]) -> Send:
    """A signed request whose envelope is changed after signing (so it does not verify)."""

    def send(ex: Exchange) -> Decision:
        _, raw = ex.seal("Request", new_request(applicant=applicant()))
        record = ex.codec.registry.decode_single(raw).record
        change(record)
        return ex.process(ex.codec.registry.encode_single("Envelope", record), REQUESTER)[0]

    return send


def answered(ex: Exchange) -> Decision:
    first, _, req, _ = ex.send("Request", new_request(applicant=applicant()))
    assert first.outcome == "accepted"
    text = f"{NAME} {PINFL} has no such record"
    reply = new_response(req, documents=[sample_attachment(text.encode(), name=f"{NAME}.pdf")])
    return ex.send("Response", reply)[0]


def oversized(ex: Exchange) -> Decision:
    data = f"{NAME} {PINFL} ".encode() * (5 * 1024 * 1024 // 24)
    return ex.send("Request", new_request(application=sample_attachment(data)))[0]


def sender_code(ex: Exchange) -> Decision:
    """A sender code that is a PINFL, signed by REQUESTER from its own outbox."""
    record = new_request(sender=PINFL, applicant=applicant())
    return ex.send("Request", record, org=REQUESTER, signer=REQUESTER)[0]


def signer_official(**changes: str) -> dict[str, Any]:
    return {**sample_request()["signer"], **changes}


SENDS: dict[str, Send] = {
    "accepted": request(),
    "message-id": request(message_id=f"Karimova-Dilnoza-{PINFL}"),
    "case-id": request(case_id=f"{NAME}-{PINFL}"),
    "sender-code": sender_code,
    "recipient-code": request(recipient=PINFL),
    "service-number": request(service=f"{NAME} {PINFL}"),
    "requested-code": request(requested=[{"code": f"{NAME}-{PINFL}", "title": NAME}]),
    "applicant-pinfl": request(applicant=applicant(pinfl=PINFL)),
    "legal-basis-blank": request(legal_basis=" ", signer=signer_official(surname=NAME)),
    "unsupported-algorithm": envelope(lambda r: r.update(signature_algorithm=f"{NAME}-{PINFL}")),
    "sender-in-certificate": envelope(lambda r: r.update(certificate_chain=[PINFL.encode()])),
    "answered": answered,
    "too-large": oversized,
}


@pytest.mark.parametrize("name", sorted(SENDS))
def test_no_marker_outside_the_original(exchange: Exchange, name: str) -> None:
    with structlog.testing.capture_logs() as logs:
        decision = SENDS[name](exchange)
    found: list[str] = []

    def check(where: str, data: bytes) -> None:
        if leaks(data):
            found.append(where)

    for o in decision.outputs:
        for key, value in o.headers:
            check(f"{o.topic} header {key}", key.encode() + value)
        check(f"{o.topic} key", o.key or b"")
        check_value(exchange, o, check)
    check("decision.message_id", str(decision.message_id).encode())
    check("decision.field", str(decision.field).encode())
    check("logs", repr(logs).encode())
    assert found == []
    if name not in {"accepted", "answered"}:
        assert decision.outcome == "rejected", (decision.reason, decision.field)


def check_value(ex: Exchange, o: Output, check: Callable[[str, bytes], None]) -> None:
    registry = ex.codec.registry
    if o.topic == "exchange.events":
        check("event", o.value)
    elif o.topic == "exchange.rejected":
        record = registry.decode_single(o.value).record
        for field, value in record.items():
            if field != "original":  # the signed original: operator-only, allowed
                check(f"rejected {field}", str(value).encode())
    elif o.topic.startswith("exchange.inbox.") and dict(o.headers).get("type") == b"Rejection":
        record = ex.codec.parse(o.value)
        body = registry.decode(record.schema_fingerprint, record.body).record
        for field, value in body.items():
            if field != "message_id":  # the signer's own id, echoed to the signer alone
                check(f"inbox rejection {field}", str(value).encode())
    # forwarded envelopes (inboxes, adapters) are the sender's signed bytes: allowed


def test_the_markers_are_found_where_they_are_allowed(exchange: Exchange) -> None:
    # the search above can fail: the original does carry them
    decision = SENDS["message-id"](exchange)
    rejected = next(o for o in decision.outputs if o.topic == "exchange.rejected")
    original = exchange.codec.registry.decode_single(rejected.value).record["original"]
    assert leaks(original)
    record = exchange.codec.registry.decode_single(rejected.value).record
    assert record["message_id"].startswith("masked:")
    assert record["message_id"].endswith("/31")
    assert decision.message_id == record["message_id"]
    inbox = next(o for o in decision.outputs if o.topic == f"exchange.inbox.{REQUESTER}")
    assert exchange.delivered(inbox).record["message_id"] == f"Karimova-Dilnoza-{PINFL}"


def test_a_mask_is_stable_and_keyed(exchange: Exchange) -> None:
    first = SENDS["message-id"](exchange)
    again = SENDS["message-id"](exchange)
    assert first.message_id == again.message_id  # the same value masks alike (replays)
    assert first.message_id is not None
    plain = hashlib.sha256(f"Karimova-Dilnoza-{PINFL}".encode()).hexdigest()[:12]
    assert plain not in first.message_id  # not an unkeyed hash anyone can recompute


def test_dead_letter_headers_carry_no_free_text() -> None:
    message = AdapterMessage(
        kind="Request",
        record={},
        idempotency_key="0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01",
        case_id="0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01",
        message_id="0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01",
        headers={},
        raw=f"envelope of {NAME} {PINFL}".encode(),
        topic="exchange.adapter.portal",
    )
    at = datetime(2026, 3, 1, tzinfo=UTC)
    for code in (PINFL, f"{PINFL} not found", "not_found"):
        error = DeliveryError(
            f"portal answered 404 {code}: applicant {NAME} (PINFL {PINFL}) is unknown",
            retriable=False,
            code=code,
            status=404,
            hint=f"check {NAME}",
        )
        out = dead_letter_output(
            "portal",
            message,
            error,
            attempts=3,
            first_attempt=at,
            last_attempt=at,
            original_headers=(("type", b"Request"),),
        )
        assert out.value == message.raw  # the record itself is kept for replay
        assert [k for k, v in out.headers if leaks(k.encode() + v)] == []
        info = dict(out.headers)
        assert info["__connect.errors.exception.message"] == b"DeliveryError: delivery_failed"
        assert info["dlq.reason"] == b"delivery_failed"
        row = summary_of(out)
        assert not leaks(repr(row).encode())
    assert info["dlq.code"] == b"not_found"  # a code-shaped code is kept as it is


def summary_of(out: Output) -> dict[str, str]:
    return dict(summary(DeadLetter(1, out.key, out.value, out.headers, datetime.now(UTC))))


def test_the_holder_inbox_gets_no_marker_in_headers(exchange: Exchange) -> None:
    decision = SENDS["accepted"](exchange)
    forwarded = [o for o in decision.outputs if o.topic == f"exchange.inbox.{HOLDER}"]
    assert len(forwarded) == 1
    assert leaks(forwarded[0].value)  # the applicant's data travels, signed, in the value
    assert not any(leaks(v) for _, v in forwarded[0].headers)
