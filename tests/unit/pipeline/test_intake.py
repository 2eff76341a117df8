from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.calendar import BusinessCalendar
from gateway.envelope import ENVELOPE_MAGIC, EnvelopeCodec
from gateway.pipeline import Decision, Intake, Output, Source
from gateway.reasons import Reason
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_receipt, sample_request, sample_status
from gateway.signing import PkiLayout, Signer

from .conftest import (
    ADAPTERS,
    EXEMPT,
    GATEWAY,
    HOLDER,
    NOW,
    OTHER,
    REQUESTER,
    SERVICE,
    Exchange,
    new_cancellation,
    new_refusal,
    new_request,
    new_response,
    requisites,
)

EVENTS = "exchange.events"
REJECTED = "exchange.rejected"


def inbox(org: str) -> str:
    return f"exchange.inbox.{org}"


def adapter(name: str) -> str:
    return f"exchange.adapter.{name}"


def on(decision: Decision, topic: str) -> list[Output]:
    return [o for o in decision.outputs if o.topic == topic]


def one(decision: Decision, topic: str) -> Output:
    found = on(decision, topic)
    assert len(found) == 1, f"{len(found)} outputs on {topic}: {[o.topic for o in found]}"
    return found[0]


def events(ex: Exchange, decision: Decision) -> list[dict[str, Any]]:
    out = []
    for o in on(decision, EVENTS):
        decoded = ex.codec.registry.decode_single(o.value)
        assert decoded.name == "Status"
        assert o.key == decoded.record["case_id"].encode()
        out.append(decoded.record)
    return out


def stages(ex: Exchange, decision: Decision) -> list[str]:
    return [e["stage"] for e in events(ex, decision)]


def from_gateway(ex: Exchange, output: Output, kind: str) -> dict[str, Any]:
    """The record of a message the gateway signed (receipt, rejection, notice)."""
    opened = ex.codec.open(output.value, ex.verifier, expected_org=GATEWAY, now=NOW)
    assert opened.kind == kind
    assert opened.signer.org_code == GATEWAY
    return opened.record


def body_sha256(ex: Exchange, raw: bytes) -> bytes:
    return hashlib.sha256(ex.codec.parse(raw).body).digest()


# --- accepted requests ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Accepted:
    decision: Decision
    record: dict[str, Any]
    raw: bytes
    due: datetime

    @property
    def message_id(self) -> str:
        return str(self.record["message_id"])

    @property
    def case_id(self) -> str:
        return str(self.record["case_id"])


@pytest.fixture
def accepted(exchange: Exchange, calendar: BusinessCalendar) -> Accepted:
    decision, _, full, raw = exchange.send("Request", new_request())
    return Accepted(decision, full, raw, calendar.due_date(NOW, 1))


def test_an_accepted_request_opens_a_case(exchange: Exchange, accepted: Accepted) -> None:
    decision = accepted.decision
    assert decision.outcome == "accepted"
    assert decision.kind == "Request"
    assert decision.message_id == accepted.message_id
    assert decision.reason is None
    assert decision.field is None
    # the case the worker stores
    case = decision.case
    assert case is not None
    assert exchange.cases[accepted.case_id] is case
    assert case.case_id == accepted.case_id
    assert case.request_id == accepted.message_id
    assert (case.requester, case.holder, case.service) == (REQUESTER, HOLDER, SERVICE)
    assert case.adapters == ADAPTERS
    assert case.received_at == NOW
    assert case.due_at == accepted.due
    assert case.status == "open"
    assert case.closed_at is None
    assert case.messages == {accepted.message_id: body_sha256(exchange, accepted.raw).hex()}


def test_an_accepted_request_is_forwarded_unchanged(accepted: Accepted) -> None:
    decision = accepted.decision
    # the holder gets the sender's own envelope, byte for byte
    forward = one(decision, inbox(HOLDER))
    assert forward.value == accepted.raw
    assert forward.key == accepted.case_id.encode()
    h = dict(forward.headers)
    assert h["type"] == b"Request"
    assert h["message_id"] == accepted.message_id.encode()
    assert h["sender"] == REQUESTER.encode()
    assert h["recipient"] == HOLDER.encode()
    assert datetime.fromisoformat(h["gateway.deadline"].decode()) == accepted.due
    assert datetime.fromisoformat(h["gateway.received_at"].decode()) == NOW
    assert "gateway.late" not in h
    # every adapter of the service, once
    for name in ADAPTERS:
        out = one(decision, adapter(name))
        assert out.value == accepted.raw
        assert out.key == accepted.case_id.encode()
    # nothing else: no rejection, no other inbox
    expected = {inbox(HOLDER), inbox(REQUESTER), EVENTS, *(adapter(a) for a in ADAPTERS)}
    assert {o.topic for o in decision.outputs} == expected


def test_an_accepted_request_is_receipted(exchange: Exchange, accepted: Accepted) -> None:
    receipt_out = one(accepted.decision, inbox(REQUESTER))
    assert receipt_out.key == accepted.case_id.encode()
    receipt = from_gateway(exchange, receipt_out, "Receipt")
    assert receipt["outcome"] == "accepted"
    assert receipt["message_id"] == accepted.message_id
    assert receipt["case_id"] == accepted.case_id
    assert receipt["reason"] is None
    assert receipt["received_at"] == NOW
    assert receipt["deadline"] == accepted.due
    assert receipt["body_sha256"] == body_sha256(exchange, accepted.raw)


def test_an_accepted_request_is_tracked(exchange: Exchange, accepted: Accepted) -> None:
    # lifecycle events, keyed by the case, with deterministic ids
    evs = events(exchange, accepted.decision)
    assert [e["stage"] for e in evs] == ["received", "accepted", "delivered"]
    for e in evs:
        assert e["case_id"] == accepted.case_id
        assert e["message_id"] == accepted.message_id
        assert e["event_id"] == f"{accepted.message_id}.{e['stage']}"
        assert e["deadline"] == accepted.due
        assert e["at"] == NOW
        assert e["detail"] == {
            "type": "Request",
            "service": SERVICE,
            "requester": REQUESTER,
            "holder": HOLDER,
        }
    assert [e["actor"] for e in evs] == [REQUESTER, REQUESTER, HOLDER]


def test_the_legal_clock_starts_at_the_kafka_timestamp_not_the_worker_clock(
    exchange: Exchange, calendar: BusinessCalendar
) -> None:
    # a replay a week later decides on the original record time
    _, raw = exchange.seal("Request", new_request())
    decision, _ = exchange.process(raw, REQUESTER, at=NOW, now=NOW + timedelta(days=7))
    assert decision.outcome == "accepted"
    assert decision.case is not None
    assert decision.case.received_at == NOW
    assert decision.case.due_at == calendar.due_date(NOW, 1)


def test_an_exempt_service_has_no_deadline(exchange: Exchange) -> None:
    decision, _, _, _ = exchange.send(
        "Request", new_request(service=EXEMPT, classification="public")
    )
    assert decision.outcome == "accepted"
    assert decision.case is not None
    assert decision.case.due_at is None
    assert not decision.case.is_overdue(NOW + timedelta(days=365))
    assert dict(one(decision, inbox(HOLDER)).headers)["gateway.deadline"] == b""
    receipt = from_gateway(exchange, one(decision, inbox(REQUESTER)), "Receipt")
    assert receipt["deadline"] is None
    assert {o.topic for o in decision.outputs} >= {adapter("nisuz")}
    assert adapter("portal") not in {o.topic for o in decision.outputs}


def test_a_resend_of_the_same_bytes_is_acknowledged_not_forwarded(exchange: Exchange) -> None:
    first, _, full, raw = exchange.send("Request", new_request())
    assert first.outcome == "accepted"
    stored = dataclasses.replace(exchange.cases[full["case_id"]])

    again, _ = exchange.process(raw, REQUESTER, at=NOW + timedelta(seconds=30))
    assert again.outcome == "duplicate"
    assert again.message_id == full["message_id"]
    assert again.case is None
    assert [o.topic for o in again.outputs] == [inbox(REQUESTER)]
    receipt = from_gateway(exchange, again.outputs[0], "Receipt")
    assert receipt["outcome"] == "duplicate"
    assert receipt["message_id"] == full["message_id"]
    assert receipt["body_sha256"] == body_sha256(exchange, raw)
    assert receipt["deadline"] == stored.due_at
    assert exchange.cases[full["case_id"]] == stored


def test_a_reused_message_id_with_other_content_is_rejected(exchange: Exchange) -> None:
    _, _, full, _ = exchange.send("Request", new_request())
    other = new_request(
        message_id=full["message_id"], case_id=full["case_id"], legal_basis="Boshqa asos"
    )
    decision, source, _, raw = exchange.send("Request", other)
    assert_rejected(
        exchange,
        decision,
        source,
        raw,
        reason=Reason.DUPLICATE_ID,
        field="message_id",
        signer=REQUESTER,
    )


def test_a_new_request_in_an_existing_case_is_rejected(exchange: Exchange) -> None:
    _, _, full, _ = exchange.send("Request", new_request())
    decision, source, _, raw = exchange.send("Request", new_request(case_id=full["case_id"]))
    assert_rejected(
        exchange,
        decision,
        source,
        raw,
        reason=Reason.DUPLICATE_ID,
        field="case_id",
        signer=REQUESTER,
    )


# --- rejections ------------------------------------------------------------------------------


def assert_rejected(
    ex: Exchange,
    decision: Decision,
    source: Source,
    raw: bytes,
    *,
    reason: Reason,
    field: str | None,
    signer: str | None,
) -> None:
    """The checks every rejection must pass, whatever its reason.

    ``signer`` is the body whose signature verified (it alone is told), or None for a message
    that could not be authenticated (only the operators' topic has it).
    """
    assert decision.outcome == "rejected"
    assert decision.reason == reason, (decision.reason, decision.field)
    assert decision.field == field
    assert decision.case is None

    out = one(decision, REJECTED)
    decoded = ex.codec.registry.decode_single(out.value)
    assert decoded.name == "Rejection"
    rejection = decoded.record
    assert rejection["original"] == raw
    assert rejection["original_sha256"] == hashlib.sha256(raw).digest()
    assert rejection["original_size"] == len(raw)
    assert rejection["reason"] == reason.value
    assert rejection["field_path"] == field
    assert rejection["source_topic"] == source.topic
    assert rejection["source_partition"] == source.partition
    assert rejection["source_offset"] == source.offset
    assert rejection["message_id"] == decision.message_id
    assert rejection["message"]
    h = dict(out.headers)
    assert h["__connect.errors.topic"] == source.topic.encode()
    assert h["__connect.errors.partition"] == str(source.partition).encode()
    assert h["__connect.errors.offset"] == str(source.offset).encode()
    # a fixed text: the class and the code, never the message (it may describe the data)
    error_class = h["__connect.errors.exception.class.name"].decode()
    assert h["__connect.errors.exception.message"] == f"{error_class}: {reason}".encode()
    assert h["reason"] == reason.value.encode()
    assert h["field"] == (field or "").encode()

    inboxes = {o.topic for o in decision.outputs if o.topic.startswith("exchange.inbox.")}
    if signer is None:
        assert inboxes == set()  # an unauthenticated message is told to nobody
    else:
        # the signer, and only it, hears of it: signed and sealed by the gateway
        assert inboxes == {inbox(signer)}
        assert_told(ex, one(decision, inbox(signer)), raw, rejection, signer=signer)
        assert one(decision, inbox(signer)).key == out.key

    # nothing is forwarded anywhere else
    assert {o.topic for o in decision.outputs} <= {REJECTED, EVENTS} | inboxes
    evs = on(decision, EVENTS)
    if evs:
        assert signer is not None
        assert stages(ex, decision) == ["received", "rejected"]


def assert_told(
    ex: Exchange, notice_out: Output, raw: bytes, rejection: dict[str, Any], *, signer: str
) -> None:
    """The signer's copy of ``rejection``: what its client reads, naming the original."""
    opened = ex.delivered(notice_out)
    assert opened.kind == "Rejection"
    assert opened.signer.org_code == GATEWAY
    notice = opened.record
    for same in ("reason", "message", "field_path", "source_topic", "source_offset"):
        assert notice[same] == rejection[same], same
    assert notice["original"] == b""  # the signer has the bytes: named, not echoed
    assert notice["original_sha256"] == hashlib.sha256(raw).digest()
    assert notice["original_size"] == len(raw)
    signed = ex.codec.open(raw, ex.verifier, expected_org=signer, now=NOW).record
    assert notice["message_id"] == signed["message_id"]  # the sender can match it
    assert dict(notice_out.headers)["type"] == b"Rejection"


Scenario = Callable[[Exchange], tuple[bytes, str]]
"""Prepares the exchange, returns the bytes to take in and the body whose outbox has them."""


def _request(kind: str = "Request", **overrides: Any) -> Scenario:
    def scenario(ex: Exchange) -> tuple[bytes, str]:
        record = new_request(**overrides)
        _, raw = ex.seal(kind, record)
        return raw, record["sender"]["code"]

    return scenario


def _signer(**changes: str) -> dict[str, Any]:
    return {
        "surname": "Aliyev",
        "given_name": "Jasur",
        "patronymic": None,
        "position": "Bosh mutaxassis",
        **changes,
    }


def _applicant(**changes: Any) -> dict[str, Any]:
    return {**sample_request()["applicant"], **changes}


def _arabic_indic(digits: str) -> str:
    """The first digit as is, the others as ARABIC-INDIC DIGITs (which `\\d` also matches)."""
    return digits[0] + "".join(chr(0x660 + int(d)) for d in digits[1:])


def _sent_at(delta: timedelta) -> Scenario:
    def scenario(ex: Exchange) -> tuple[bytes, str]:
        _, raw = ex.seal("Request", new_request(), sent_at=NOW + delta)
        return raw, REQUESTER

    return scenario


def _bad_requisites(ex: Exchange) -> tuple[bytes, str]:
    full, _ = ex.seal("Request", new_request())
    full["signature_requisites"] = {**full["signature_requisites"], "certificate_serial": "0a0b"}
    return ex.codec.seal("Request", full, ex.signers[REQUESTER]), REQUESTER


def _bad_issuer(ex: Exchange) -> tuple[bytes, str]:
    full, _ = ex.seal("Request", new_request())
    full["signature_requisites"] = {**full["signature_requisites"], "issuer": "CN=Someone Else"}
    return ex.codec.seal("Request", full, ex.signers[REQUESTER]), REQUESTER


def _wrong_outbox(ex: Exchange) -> tuple[bytes, str]:
    _, raw = ex.seal("Request", new_request())
    return raw, OTHER


def _organisation_mismatch(ex: Exchange) -> tuple[bytes, str]:
    # names OTHER as sender, written to OTHER's outbox, but signed with REQUESTER's key
    _, raw = ex.seal("Request", new_request(sender=OTHER), signer=REQUESTER)
    return raw, OTHER


def _garbage(ex: Exchange) -> tuple[bytes, str]:
    return os.urandom(200), REQUESTER


def _not_an_envelope(ex: Exchange) -> tuple[bytes, str]:
    return ex.codec.registry.encode_single("Receipt", sample_receipt()), REQUESTER


def _truncated(ex: Exchange) -> tuple[bytes, str]:
    _, raw = ex.seal("Request", new_request())
    return raw[: len(raw) // 2], REQUESTER


def _tampered(ex: Exchange) -> tuple[bytes, str]:
    # the signed body says legal_basis "X..."; change one of its bytes after signing
    _, raw = ex.seal("Request", new_request(legal_basis="XXXXXXXXXXXXXXXX"))
    i = raw.index(b"XXXXXXXXXXXXXXXX")
    return raw[:i] + b"Y" + raw[i + 1 :], REQUESTER


def _untrusted(rogue: Callable[[], Signer]) -> Scenario:
    def scenario(ex: Exchange) -> tuple[bytes, str]:
        _, raw = ex.seal("Request", new_request(), signer=rogue())
        return raw, REQUESTER

    return scenario


def _gateway_kind(kind: str) -> Scenario:
    def scenario(ex: Exchange) -> tuple[bytes, str]:
        record = sample_receipt() if kind == "Receipt" else sample_status()
        return ex.codec.seal(kind, record, ex.signers[REQUESTER]), REQUESTER

    return scenario


def _opened(ex: Exchange, **overrides: Any) -> dict[str, Any]:
    decision, _, full, _ = ex.send("Request", new_request(**overrides))
    assert decision.outcome == "accepted"
    return full


def _answer(
    kind: str, *, before: Callable[[Exchange, dict[str, Any]], None] | None = None, **over: Any
) -> Scenario:
    def scenario(ex: Exchange) -> tuple[bytes, str]:
        request = _opened(ex)
        if before is not None:
            before(ex, request)
        build = new_response if kind == "Response" else new_refusal
        record = build(request, **over)
        _, raw = ex.seal(kind, record)
        return raw, record["sender"]["code"]

    return scenario


def _answered(ex: Exchange, request: dict[str, Any]) -> None:
    decision, *_ = ex.send("Response", new_response(request))
    assert decision.outcome == "accepted"


def _cancelled(ex: Exchange, request: dict[str, Any]) -> None:
    decision, *_ = ex.send("Cancellation", new_cancellation(request))
    assert decision.outcome == "accepted"


def _unknown_case(ex: Exchange) -> tuple[bytes, str]:
    request, _ = ex.seal("Request", new_request())  # sealed, never taken in
    _, raw = ex.seal("Response", new_response(request))
    return raw, HOLDER


def _wrong_reply_to(ex: Exchange) -> tuple[bytes, str]:
    request = _opened(ex)
    _, raw = ex.seal("Response", new_response(request, in_reply_to=str(uuid.uuid4())))
    return raw, HOLDER


def _response_from_other(ex: Exchange) -> tuple[bytes, str]:
    request = _opened(ex)
    _, raw = ex.seal("Response", new_response(request, sender={"code": OTHER, "name": "C"}))
    return raw, OTHER


def _cancellation_by_holder(ex: Exchange) -> tuple[bytes, str]:
    request = _opened(ex)
    record = new_cancellation(request, sender={"code": HOLDER, "name": "B"})
    _, raw = ex.seal("Cancellation", record)
    return raw, HOLDER


def _cancellation_twice(ex: Exchange) -> tuple[bytes, str]:
    request = _opened(ex)
    _cancelled(ex, request)
    _, raw = ex.seal("Cancellation", new_cancellation(request))
    return raw, REQUESTER


def _answer_to_wrong_body(ex: Exchange) -> tuple[bytes, str]:
    request = _opened(ex)
    _, raw = ex.seal("Response", new_response(request, recipient={"code": OTHER, "name": "C"}))
    return raw, HOLDER


REJECTIONS: list[tuple[str, Scenario | str, Reason, str | None]] = [
    (
        "empty-signer-surname",
        _request(signer=_signer(surname=" ")),
        Reason.MISSING_FIELD,
        "signer.surname",
    ),
    ("empty-legal-basis", _request(legal_basis=""), Reason.MISSING_FIELD, "legal_basis"),
    ("empty-requested", _request(requested=[]), Reason.MISSING_FIELD, "requested"),
    (
        "bad-pinfl",
        _request(applicant=_applicant(pinfl="41405900261230")),
        Reason.INVALID_FIELD,
        "applicant.pinfl",
    ),
    (
        "pinfl-birth-date-mismatch",
        _request(applicant=_applicant(birth_date=date(1990, 5, 15))),
        Reason.INVALID_FIELD,
        "applicant.pinfl",
    ),
    (
        "empty-applicant-surname",
        _request(applicant=_applicant(surname="")),
        Reason.MISSING_FIELD,
        "applicant.surname",
    ),
    (
        "recipient-stir-newline",
        _request(recipient=HOLDER + "\n"),
        Reason.INVALID_FIELD,
        "recipient.code",
    ),
    (
        "pinfl-foreign-digits",
        _request(applicant=_applicant(pinfl=_arabic_indic("41405900261239"))),
        Reason.INVALID_FIELD,
        "applicant.pinfl",
    ),
    (
        "recipient-stir-8-digits",
        _request(recipient="20200000"),
        Reason.INVALID_FIELD,
        "recipient.code",
    ),
    (
        "message-id-not-uuid",
        _request(message_id="msg-1", case_id="3d5b0e4e-2a57-4d8e-9a4c-1f9e2b7c6a10"),
        Reason.INVALID_FIELD,
        "message_id",
    ),
    (
        "requested-code-unknown",
        _request(requested=[{"code": "tax_clearance", "title": "T"}]),
        Reason.INVALID_FIELD,
        "requested[0].code",
    ),
    (
        "public-personal-data",
        _request(classification="public"),
        Reason.INVALID_FIELD,
        "classification",
    ),
    (
        "requisites-serial",
        _bad_requisites,
        Reason.INVALID_FIELD,
        "signature_requisites.certificate_serial",
    ),
    ("requisites-issuer", _bad_issuer, Reason.INVALID_FIELD, "signature_requisites.issuer"),
    (
        "unknown-service",
        _request(service="DX-9999"),
        Reason.UNKNOWN_SERVICE,
        "service.registry_number",
    ),
    (
        "state-secret",
        _request(classification="state_secret"),
        Reason.STATE_SECRET,
        "classification",
    ),
    ("sender-not-a-requester", _request(sender=OTHER), Reason.NOT_AUTHORISED, "sender.code"),
    (
        "recipient-not-the-provider",
        _request(recipient=OTHER),
        Reason.NOT_AUTHORISED,
        "recipient.code",
    ),
    ("wrong-outbox", _wrong_outbox, Reason.WRONG_OUTBOX, "sender.code"),
    ("organisation-mismatch", _organisation_mismatch, Reason.ORGANISATION_MISMATCH, None),
    ("clock-skew", _sent_at(timedelta(hours=1)), Reason.CLOCK_SKEW, "sent_at"),
    ("too-old", _sent_at(-timedelta(days=10)), Reason.TOO_OLD, "sent_at"),
    ("garbage", _garbage, Reason.MALFORMED_ENVELOPE, None),
    ("not-an-envelope", _not_an_envelope, Reason.MALFORMED_ENVELOPE, None),
    ("truncated", _truncated, Reason.MALFORMED_BODY, None),
    ("tampered-body", _tampered, Reason.BAD_SIGNATURE, None),
    ("untrusted-certificate", "rogue", Reason.UNTRUSTED_CERTIFICATE, None),
    ("unknown-request", _unknown_case, Reason.UNKNOWN_REQUEST, "case_id"),
    ("wrong-in-reply-to", _wrong_reply_to, Reason.UNKNOWN_REQUEST, "in_reply_to"),
    ("response-not-from-holder", _response_from_other, Reason.NOT_ADDRESSEE, "sender.code"),
    ("cancellation-not-by-requester", _cancellation_by_holder, Reason.NOT_ADDRESSEE, "sender.code"),
    ("answer-to-another-body", _answer_to_wrong_body, Reason.INVALID_FIELD, "recipient.code"),
    (
        "answer-for-another-service",
        _answer("Response", service={"registry_number": EXEMPT, "name": "A"}),
        Reason.INVALID_FIELD,
        "service.registry_number",
    ),
    ("second-answer", _answer("Response", before=_answered), Reason.REQUEST_CLOSED, "case_id"),
    (
        "refusal-after-response",
        _answer("Refusal", before=_answered),
        Reason.REQUEST_CLOSED,
        "case_id",
    ),
    (
        "response-after-cancellation",
        _answer("Response", before=_cancelled),
        Reason.REQUEST_CANCELLED,
        "case_id",
    ),
    ("second-cancellation", _cancellation_twice, Reason.REQUEST_CANCELLED, "case_id"),
    ("refusal-without-reasons", _answer("Refusal", reasons=[]), Reason.REASONS_REQUIRED, "reasons"),
    (
        "refusal-with-blank-reason",
        _answer("Refusal", reasons=[{"code": "x", "text": " "}]),
        Reason.REASONS_REQUIRED,
        "reasons",
    ),
]


UNAUTHENTICATED = {
    "organisation-mismatch",
    "garbage",
    "not-an-envelope",
    "truncated",
    "tampered-body",
    "untrusted-certificate",
}
"""Rejected before the signature and certificate verified: the signer is unknown."""


def signer_of(name: str, org: str) -> str | None:
    """Who signed the scenario's message: nobody known, the named sender, or the outbox's
    owner (every other scenario writes to its signer's own outbox)."""
    if name in UNAUTHENTICATED:
        return None
    return REQUESTER if name == "wrong-outbox" else org


SCENARIOS = {name: scenario for name, scenario, _, _ in REJECTIONS}


@pytest.mark.parametrize(
    ("name", "reason", "field"),
    [pytest.param(name, r, f, id=name) for name, _, r, f in REJECTIONS],
)
def test_a_rejection_names_reason_and_field_and_forwards_nothing(
    exchange: Exchange,
    rogue_pki: PkiLayout,
    name: str,
    reason: Reason,
    field: str | None,
) -> None:
    scenario = SCENARIOS[name]
    if scenario == "rogue":
        ident = rogue_pki.orgs[REQUESTER]
        scenario = _untrusted(lambda: Signer.from_files(ident.key, ident.cert))
    assert callable(scenario)
    raw, org = scenario(exchange)
    before = {k: dataclasses.replace(v) for k, v in exchange.cases.items()}
    decision, source = exchange.process(raw, org)
    signer = signer_of(name, org)
    assert_rejected(exchange, decision, source, raw, reason=reason, field=field, signer=signer)
    assert exchange.cases == before  # a rejection never changes a case


def test_a_rejection_of_a_readable_message_is_tracked_on_its_case(exchange: Exchange) -> None:
    decision, _, full, _ = exchange.send("Request", new_request(legal_basis=" "))
    assert decision.outcome == "rejected"
    assert decision.kind == "Request"
    assert decision.message_id == full["message_id"]
    evs = events(exchange, decision)
    assert [e["stage"] for e in evs] == ["received", "rejected"]
    assert all(e["case_id"] == full["case_id"] for e in evs)
    assert evs[1]["detail"] == {"reason": "missing_field", "field": "legal_basis"}
    assert evs[1]["actor"] == REQUESTER
    assert one(decision, REJECTED).key == full["case_id"].encode()


@pytest.mark.parametrize("kind", ["Receipt", "Status"])
def test_a_body_cannot_send_what_only_the_gateway_writes(
    exchange: Exchange,
    kind: str,
) -> None:
    raw, org = _gateway_kind(kind)(exchange)
    decision, source = exchange.process(raw, org)
    # signed with the body's own key: authenticated, so the body is told
    assert_rejected(
        exchange, decision, source, raw, reason=Reason.INVALID_CONTENT, field=None, signer=org
    )


def test_a_body_sending_a_gateway_kind_is_rejected_without_forwarding(exchange: Exchange) -> None:
    # whatever the reason code, such a message never reaches an inbox or adapter
    for kind in ("Receipt", "Status"):
        raw, org = _gateway_kind(kind)(exchange)
        decision, _ = exchange.process(raw, org)
        assert decision.outcome == "rejected"
        assert {o.topic for o in decision.outputs} <= {REJECTED, inbox(REQUESTER)}
        assert (
            exchange.codec.registry.decode_single(one(decision, REJECTED).value).record["original"]
            == raw
        )


def test_a_rejection_goes_to_the_verified_signer_not_the_outbox_owner(
    exchange: Exchange,
) -> None:
    # signed by REQUESTER, written to OTHER's outbox (the finding): REQUESTER signed
    # the applicant's data and must hear of it; OTHER never sees it
    raw, org = _wrong_outbox(exchange)
    decision, _ = exchange.process(raw, org)
    assert decision.reason == Reason.WRONG_OUTBOX
    assert [o.topic for o in decision.outputs if o.topic.startswith("exchange.inbox.")] == [
        inbox(REQUESTER)
    ]
    assert exchange.delivered(one(decision, inbox(REQUESTER))).record["reason"] == "wrong_outbox"
    assert {e["actor"] for e in events(exchange, decision)} == {REQUESTER}


@pytest.mark.parametrize("name", sorted(UNAUTHENTICATED - {"untrusted-certificate"}))
def test_an_unauthenticated_rejection_reaches_only_the_operators(
    exchange: Exchange, name: str
) -> None:
    scenario = SCENARIOS[name]
    assert callable(scenario)
    raw, org = scenario(exchange)
    decision, _ = exchange.process(raw, org)
    assert decision.outcome == "rejected"
    assert [o.topic for o in decision.outputs] == [REJECTED]


# --- answers and cancellations ----------------------------------------------------------------


def test_a_response_closes_the_case_and_reaches_the_requester(exchange: Exchange) -> None:
    request = _opened(exchange)
    later = NOW + timedelta(minutes=20)
    decision, _, full, raw = exchange.send(
        "Response", new_response(request), sent_at=later, at=later
    )
    assert decision.outcome == "accepted"
    assert decision.kind == "Response"
    forward = one(decision, inbox(REQUESTER))
    assert forward.value == raw
    assert forward.key == request["case_id"].encode()
    assert "gateway.late" not in dict(forward.headers)
    for name in ADAPTERS:
        assert one(decision, adapter(name)).value == raw
    receipt = from_gateway(exchange, one(decision, inbox(HOLDER)), "Receipt")
    assert receipt["outcome"] == "accepted"
    assert receipt["message_id"] == full["message_id"]
    assert receipt["body_sha256"] == body_sha256(exchange, raw)

    evs = events(exchange, decision)
    assert [e["stage"] for e in evs] == ["received", "answered", "delivered", "closed"]
    assert [e["actor"] for e in evs] == [HOLDER, HOLDER, REQUESTER, GATEWAY]
    assert {e["event_id"] for e in evs} == {
        f"{full['message_id']}.{s}" for s in ("received", "answered", "delivered", "closed")
    }

    case = exchange.cases[request["case_id"]]
    assert case.status == "answered"
    assert not case.is_open
    assert case.closed_at == later
    assert set(case.messages) == {request["message_id"], full["message_id"]}

    # a resend of the answer is a duplicate, not a second answer
    again, _ = exchange.process(raw, HOLDER, at=later + timedelta(seconds=5))
    assert again.outcome == "duplicate"
    assert [o.topic for o in again.outputs] == [inbox(HOLDER)]


def test_a_late_response_is_accepted_and_marked_late(exchange: Exchange) -> None:
    request = _opened(exchange)
    due = exchange.cases[request["case_id"]].due_at
    assert due is not None
    late = due + timedelta(hours=1)
    decision, *_ = exchange.send("Response", new_response(request), sent_at=late, at=late)
    assert decision.outcome == "accepted"
    assert dict(one(decision, inbox(REQUESTER)).headers)["gateway.late"] == b"true"
    for name in ADAPTERS:
        assert dict(one(decision, adapter(name)).headers)["gateway.late"] == b"true"
    evs = events(exchange, decision)
    assert all(e["detail"].get("late") == "true" for e in evs)
    assert exchange.cases[request["case_id"]].status == "answered"


def test_a_reasoned_refusal_closes_the_case_as_refused(exchange: Exchange) -> None:
    request = _opened(exchange)
    decision, _, _, raw = exchange.send("Refusal", new_refusal(request))
    assert decision.outcome == "accepted"
    assert decision.kind == "Refusal"
    assert one(decision, inbox(REQUESTER)).value == raw
    assert stages(exchange, decision) == ["received", "refused", "delivered", "closed"]
    assert exchange.cases[request["case_id"]].status == "refused"


def test_a_cancellation_reaches_the_holder_and_closes_the_case(exchange: Exchange) -> None:
    request = _opened(exchange)
    decision, _, _, raw = exchange.send("Cancellation", new_cancellation(request))
    assert decision.outcome == "accepted"
    assert decision.kind == "Cancellation"
    forward = one(decision, inbox(HOLDER))
    assert forward.value == raw
    assert dict(forward.headers)["type"] == b"Cancellation"
    for name in ADAPTERS:
        assert one(decision, adapter(name)).value == raw
    receipt = from_gateway(exchange, one(decision, inbox(REQUESTER)), "Receipt")
    assert receipt["outcome"] == "accepted"
    assert stages(exchange, decision) == ["received", "cancelled", "delivered", "closed"]
    case = exchange.cases[request["case_id"]]
    assert case.status == "cancelled"
    assert case.closed_at == NOW


def test_a_cancellation_must_be_addressed_to_the_holder(exchange: Exchange) -> None:
    request = _opened(exchange)
    record = new_cancellation(request, recipient={"code": OTHER, "name": "C"})
    decision, source, _, raw = exchange.send("Cancellation", record)
    assert_rejected(
        exchange,
        decision,
        source,
        raw,
        reason=Reason.INVALID_FIELD,
        field="recipient.code",
        signer=REQUESTER,
    )


# --- robustness ------------------------------------------------------------------------------


def _fresh(intake: Intake, raw: bytes) -> Decision:
    source = Source(f"exchange.outbox.{REQUESTER}", 0, 7, NOW)
    return intake.process(raw, source, {}.get, NOW)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600))
def test_random_bytes_are_rejected_never_raised(intake: Intake, raw: bytes) -> None:
    decision = _fresh(intake, raw)
    assert decision.outcome == "rejected"
    assert decision.reason not in (None, Reason.INTERNAL)
    assert decision.case is None
    assert [o.topic for o in decision.outputs] == [REJECTED]  # nobody signed it: nobody told


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail=st.binary(max_size=600))
def test_random_bytes_behind_the_envelope_header_are_rejected(
    intake: Intake, registry: SchemaRegistry, tail: bytes
) -> None:
    raw = ENVELOPE_MAGIC + registry.fingerprint("Envelope") + tail
    decision = _fresh(intake, raw)
    assert decision.outcome == "rejected"
    assert decision.reason not in (None, Reason.INTERNAL)
    assert decision.case is None
    assert REJECTED in {o.topic for o in decision.outputs}


@pytest.fixture(scope="module")
def signed_envelope(codec: EnvelopeCodec, signers: dict[str, Signer]) -> dict[str, Any]:
    record = dict(new_request(), message_id=str(uuid.uuid4()), sent_at=NOW)
    record["case_id"] = record["message_id"]
    record["signature_requisites"] = requisites(signers[REQUESTER])
    raw = codec.seal("Request", record, signers[REQUESTER])
    return codec.registry.decode_single(raw).record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=800),
    kind=st.sampled_from(
        ["Request", "Response", "Refusal", "Cancellation", "Receipt", "Status", "Rejection"]
    ),
)
def test_random_bodies_in_a_signed_envelope_are_rejected(
    intake: Intake,
    registry: SchemaRegistry,
    signed_envelope: dict[str, Any],
    body: bytes,
    kind: str,
) -> None:
    # a real signer's chain and signature, but a body that is not the one signed
    envelope = dict(signed_envelope, body=body, schema_fingerprint=registry.fingerprint(kind))
    decision = _fresh(intake, registry.encode_single("Envelope", envelope))
    assert decision.outcome == "rejected"
    assert decision.reason not in (None, Reason.INTERNAL)
    assert decision.case is None
