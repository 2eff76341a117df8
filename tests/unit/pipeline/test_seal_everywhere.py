"""Every record the pipeline writes to an inbox carries the gateway's valid delivery seal.

Each builder (forward, receipt, notice, rejection) is driven through the decisions that use
it, and every inbox output is read the way the addressee's client reads it. A record moved to
another inbox, or a planted copy, is refused with ``not_delivered_by_gateway``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from gateway.envelope import MAX_ENVELOPE_BYTES, SEAL_HEADER
from gateway.pipeline import Decision, Output, Outputs, overdue_outputs
from gateway.reasons import Reason
from gateway.schemas.samples import sample_attachment
from gateway.signing import PkiLayout, Signer

from .conftest import (
    GATEWAY,
    HOLDER,
    NOW,
    OTHER,
    REQUESTER,
    Exchange,
    new_cancellation,
    new_refusal,
    new_request,
    new_response,
)
from .test_intake import REJECTIONS
from .test_overdue import make_case

INBOX = "exchange.inbox."


def inbox_outputs(decisions: list[Decision]) -> Iterator[Output]:
    for decision in decisions:
        yield from (o for o in decision.outputs if o.topic.startswith(INBOX))


def lifecycle(ex: Exchange) -> list[Decision]:
    """A request, its resend, an answer; another request refused; a third cancelled."""
    out: list[Decision] = []
    first, _, request, raw = ex.send("Request", new_request())
    out += [first, ex.process(raw, REQUESTER)[0]]  # accepted, then a duplicate's receipt
    out.append(ex.send("Response", new_response(request))[0])
    second = ex.send("Request", new_request())
    out += [second[0], ex.send("Refusal", new_refusal(second[2]))[0]]
    third = ex.send("Request", new_request())
    out += [third[0], ex.send("Cancellation", new_cancellation(third[2]))[0]]
    return out


def test_every_inbox_output_of_a_case_lifecycle_is_sealed_and_accepted(
    exchange: Exchange,
) -> None:
    decisions = lifecycle(exchange)
    assert [d.outcome for d in decisions] == ["accepted", "duplicate", *["accepted"] * 5]
    kinds = [(o.topic, exchange.delivered(o).kind) for o in inbox_outputs(decisions)]
    # the forwarded messages and the gateway's receipts, each read and accepted by the client
    assert (INBOX + HOLDER, "Request") in kinds
    assert (INBOX + REQUESTER, "Receipt") in kinds
    assert (INBOX + REQUESTER, "Response") in kinds
    assert (INBOX + REQUESTER, "Refusal") in kinds
    assert (INBOX + HOLDER, "Cancellation") in kinds
    assert len(kinds) == 13  # 3 forwarded requests + 3 answers/cancellation + 7 receipts


@pytest.mark.parametrize(
    ("name", "scenario"), [pytest.param(n, s, id=n) for n, s, _, _ in REJECTIONS]
)
def test_every_rejection_sent_to_an_inbox_is_sealed_and_accepted(
    exchange: Exchange, rogue_pki: PkiLayout, name: str, scenario: Any
) -> None:
    if scenario == "rogue":
        ident = rogue_pki.orgs[REQUESTER]
        rogue = Signer.from_files(ident.key, ident.cert)
        _, raw = exchange.seal("Request", new_request(), signer=rogue)
        org = REQUESTER
    else:
        raw, org = scenario(exchange)
    decision, _ = exchange.process(raw, org)
    assert decision.outcome == "rejected"
    for output in inbox_outputs([decision]):
        assert exchange.delivered(output).kind == "Rejection"


def test_overdue_and_adapter_notices_are_sealed_and_accepted(
    exchange: Exchange, outputs: Outputs
) -> None:
    case = make_case()
    notices = list(
        inbox_outputs(
            [Decision("accepted", overdue_outputs(case, outputs, now=NOW, actor=GATEWAY))]
        )
    )
    assert {o.topic for o in notices} == {INBOX + REQUESTER, INBOX + HOLDER}
    # the adapter runner's "delivered" notice goes through the same builder
    status = outputs.status(
        case_id=case.case_id,
        message_id=case.request_id,
        stage="delivered",
        at=NOW,
        actor=GATEWAY,
        deadline=None,
        detail={"adapter": "portal"},
    )
    notices.append(outputs.notice(REQUESTER, status))
    for notice in notices:
        assert exchange.delivered(notice).kind == "Status"


def test_a_delivered_record_moved_to_another_inbox_is_refused(exchange: Exchange) -> None:
    decision, _, _, _ = exchange.send("Request", new_request())
    forwarded = next(o for o in decision.outputs if o.topic == INBOX + HOLDER)
    # the same value and headers, seal included, planted in OTHER's inbox
    item = exchange.reader.open_record(INBOX + OTHER, 0, 0, forwarded.value, forwarded.headers)
    assert item.message is None
    assert item.error is not None
    assert item.error.reason == Reason.NOT_DELIVERED_BY_GATEWAY
    # and the sender's envelope alone, without the seal, is refused in the right inbox too
    bare = [h for h in forwarded.headers if h[0] != SEAL_HEADER]
    item = exchange.reader.open_record(INBOX + HOLDER, 0, 0, forwarded.value, bare)
    assert item.error is not None
    assert item.error.reason == Reason.NOT_DELIVERED_BY_GATEWAY


def test_an_inbox_output_cannot_be_built_without_a_seal() -> None:
    with pytest.raises(ValueError, match=r"has no gateway\.seal header"):
        Output(INBOX + HOLDER, None, b"value", (("type", b"Receipt"),))
    Output("exchange.events", None, b"value")  # other topics need none


# --- the 4 MiB + 1 byte case (issue 13, item 7) -----------------------------------------------


def oversized(ex: Exchange, size: int) -> tuple[dict[str, Any], bytes]:
    """A request signed by REQUESTER whose envelope is exactly ``size`` bytes.

    An ECDSA signature is 70 to 72 bytes (71 most often), drawn anew by every signing: aim at
    ``size`` for a 71-byte signature, and sign again until one has the length aimed at.
    """
    pad = size - 4096
    for _ in range(64):
        record = new_request(application=sample_attachment(b"%PDF" + bytes(pad)))
        full, raw = ex.seal("Request", record)
        if len(raw) == size:
            return full, raw
        pad += size - (len(raw) - len(signature_of(ex, raw)) + 71)
    raise AssertionError(f"could not build a {size}-byte envelope")


def signature_of(ex: Exchange, raw: bytes) -> bytes:
    envelope = ex.codec.registry.decode_single(raw).record  # also past the 4 MiB limit
    return bytes(envelope["signature"])


def test_the_rejection_of_an_oversized_message_reaches_its_signer_readable(
    exchange: Exchange,
) -> None:
    full, raw = oversized(exchange, MAX_ENVELOPE_BYTES + 1)
    decision, _ = exchange.process(raw, REQUESTER)
    assert decision.reason == Reason.MESSAGE_TOO_LARGE
    [notice] = list(inbox_outputs([decision]))
    assert notice.topic == INBOX + REQUESTER  # verified after all: its signer is told
    assert len(notice.value) < 4096  # the original is named by its digest, not echoed
    rejection = exchange.delivered(notice).record  # the sender's own client reads it
    assert rejection["reason"] == "message_too_large"
    assert rejection["message_id"] == full["message_id"]
    assert rejection["original_size"] == MAX_ENVELOPE_BYTES + 1
    assert rejection["original_sha256"] == hashlib.sha256(raw).digest()
    # the operators keep the first 4 MiB and the digest of all of it
    operators = exchange.codec.registry.decode_single(
        next(o for o in decision.outputs if o.topic == "exchange.rejected").value
    ).record
    assert operators["original"] == raw[:MAX_ENVELOPE_BYTES]
    assert operators["original_sha256"] == hashlib.sha256(raw).digest()


def test_an_oversized_message_that_does_not_verify_is_told_to_nobody(
    exchange: Exchange,
) -> None:
    _, raw = oversized(exchange, MAX_ENVELOPE_BYTES + 1)
    tampered = raw[:-200] + bytes(200)  # breaks the signed body or the chain
    decision, _ = exchange.process(tampered, REQUESTER)
    assert decision.reason == Reason.MESSAGE_TOO_LARGE
    assert [o.topic for o in decision.outputs] == ["exchange.rejected"]


def test_an_exactly_4_mib_message_is_not_rejected_for_its_size(exchange: Exchange) -> None:
    _, raw = oversized(exchange, MAX_ENVELOPE_BYTES)
    decision, _ = exchange.process(raw, REQUESTER, at=NOW + timedelta(seconds=1))
    assert decision.outcome == "accepted"
