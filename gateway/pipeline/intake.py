"""The intake decision: one input record in, the outputs and the case's new state out.

Pure and synchronous: no Kafka, no Faust, no clock of its own. The Faust layer hands in the
record's bytes and source, a lookup of the current case state and the time, produces the
outputs (acks=all) and only then stores the new case state and commits the input offset.

Order of checks for every message: decode and verify (signature, certificate, the signer is
the body named as sender); the body writes from its own outbox; time window; no state
secret (item 19); the fields of its type (item 14 for requests); duplicates by message id;
then the rules of its type: authorisation (item 21) for requests, the open request for
responses, refusals (item 18) and cancellations.

Who hears of a rejection: the operators always (``exchange.rejected``); the signer of the
message, and only it, once its signature and certificate verified (the signer is known from
that moment on: ``OpenedMessage.signer``). A message over the size limit is still opened
(up to :data:`OVERSIZE_AUTH_LIMIT`) only to learn whether, and by whom, it was signed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Literal

import structlog

from gateway.calendar import BusinessCalendar
from gateway.envelope import EnvelopeCodec, OpenedMessage
from gateway.exceptions import MessageError, ValidationError
from gateway.pipeline.checks import (
    check_answer_fields,
    check_cancellation_fields,
    check_request_fields,
)
from gateway.pipeline.outputs import Output, Outputs, Source
from gateway.pipeline.state import Case, CaseStatus
from gateway.reasons import Reason
from gateway.services import ServiceRegistry
from gateway.signing import Verifier
from gateway.topics.names import adapter_topic, inbox_topic

log = structlog.get_logger(__name__)

__all__ = ["CaseLookup", "Decision", "Intake", "IntakePolicy"]

OVERSIZE_AUTH_LIMIT = 8 * 1024 * 1024
"""Up to this size a message rejected as too large is verified to tell its signer (Kafka's
topic limit, 5 MiB, keeps anything larger from arriving at all)."""

CaseLookup = Callable[[str], Case | None]
Outcome = Literal["accepted", "duplicate", "rejected"]
_GATEWAY_KINDS = frozenset({"Receipt", "Rejection", "Status"})


@dataclasses.dataclass(frozen=True, slots=True)
class IntakePolicy:
    """Time window of acceptable ``sent_at`` values, relative to the intake time."""

    max_clock_skew: timedelta = timedelta(minutes=5)
    max_age: timedelta = timedelta(days=3)


@dataclasses.dataclass(slots=True)
class Decision:
    """What to do with one input: the outputs to produce and the case state to store.

    ``message_id`` is the message's id as logs may show it: masked unless it is a UUID.
    """

    outcome: Outcome
    outputs: list[Output]
    kind: str | None = None
    message_id: str | None = None
    case: Case | None = None
    reason: Reason | None = None
    field: str | None = None


def _reject(
    reason: Reason, message: str, field: str | None, hint: str | None = None
) -> ValidationError:
    return ValidationError(message, reason=reason, field=field, hint=hint)


class Intake:
    """Checks and routes messages; one instance per worker process."""

    def __init__(
        self,
        codec: EnvelopeCodec,
        verifier: Verifier,
        outputs: Outputs,
        services: Callable[[], ServiceRegistry],
        calendar: BusinessCalendar | Callable[[], BusinessCalendar],
        *,
        gateway_org: str,
        policy: IntakePolicy | None = None,
    ) -> None:
        self.codec = codec
        self.verifier = verifier
        self.out = outputs
        self.services = services
        # the calendar in force: a reloading holder's ``current``, read per message
        self._calendar: Callable[[], BusinessCalendar]
        if isinstance(calendar, BusinessCalendar):
            fixed = calendar
            self._calendar = lambda: fixed
        else:
            self._calendar = calendar
        self.gateway_org = gateway_org
        self.policy = policy or IntakePolicy()
        self._oversize = EnvelopeCodec(
            codec.registry, max_bytes=OVERSIZE_AUTH_LIMIT, v1_until=codec.v1_until
        )

    @property
    def calendar(self) -> BusinessCalendar:
        """The calendar in force now (the one every deadline of this intake counts on)."""
        return self._calendar()

    # --- entry point ----------------------------------------------------------------------
    def process(self, raw: bytes, source: Source, cases: CaseLookup, now: datetime) -> Decision:
        """Decide on one record. Never raises for bad input: a bad message is a rejection.

        ``now`` is the worker's clock (certificate validity); the legal clock starts at
        ``source.timestamp``, the time Kafka accepted the record (item 16), which a replay
        after a crash does not change.
        """
        received_at = min(source.timestamp, now)
        opened: OpenedMessage | None = None
        try:
            opened = self.codec.open(raw, self.verifier, expected_org=source.org, now=now)
            return self._decide(raw, opened, source, cases, received_at)
        except MessageError as exc:
            if opened is None and exc.reason == Reason.MESSAGE_TOO_LARGE:
                opened = self._signed_oversize(raw, source, now)
            return self._rejected(raw, source, exc, opened, received_at)
        except Exception as exc:  # noqa: BLE001 -- no input may crash the worker
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
            log.error(  # noqa: TRY400 -- a traceback's values may carry personal data
                "intake_internal_error",
                where=where,
                error_type=type(exc).__name__,
                topic=source.topic,
                partition=source.partition,
                offset=source.offset,
            )
            error = MessageError(
                "the gateway failed on this message; operators have been alerted",
                reason=Reason.INTERNAL,
                hint="resend later; if it repeats, report the message id to the operator",
            )
            return self._rejected(raw, source, error, opened, received_at)

    def _signed_oversize(self, raw: bytes, source: Source, now: datetime) -> OpenedMessage | None:
        """A too-large message opened and verified only to find its signer; None if it does
        not verify (then nobody but the operators hears of it)."""
        try:
            return self._oversize.open(raw, self.verifier, expected_org=source.org, now=now)
        except Exception:  # noqa: BLE001 -- any failure means: not authenticated; never a crash
            return None

    # --- shared checks --------------------------------------------------------------------
    def _decide(
        self, raw: bytes, opened: OpenedMessage, source: Source, cases: CaseLookup, at: datetime
    ) -> Decision:
        kind, record = opened.kind, opened.record
        if kind in _GATEWAY_KINDS:
            raise _reject(
                Reason.INVALID_CONTENT,
                f"a {kind} is written by the gateway, never sent by a body",
                None,
                "send a Request, Response, Refusal or Cancellation",
            )
        sender = record["sender"]["code"]
        if source.org != sender:
            raise _reject(
                Reason.WRONG_OUTBOX,
                f"the message names sender {sender} but was written to {source.topic}",
                "sender.code",
                f"publish to exchange.outbox.{sender}",
            )
        sent_at: datetime = record["sent_at"]
        if sent_at - at > self.policy.max_clock_skew:
            raise _reject(
                Reason.CLOCK_SKEW,
                f"sent_at is {sent_at - at} ahead of the gateway's intake time",
                "sent_at",
                "synchronise the sending system's clock (NTP)",
            )
        if at - sent_at > self.policy.max_age:
            raise _reject(
                Reason.TOO_OLD,
                f"sent_at is {at - sent_at} before intake; the limit is {self.policy.max_age}",
                "sent_at",
                "send a new message with a fresh id and sent_at",
            )
        if record.get("classification") == "state_secret":
            raise _reject(
                Reason.STATE_SECRET,
                "messages containing state secrets must not pass through the exchange (item 19)",
                "classification",
                "use the channels the law prescribes for state secrets",
            )
        if kind == "Request":
            return self._request(raw, opened, cases, at)
        if kind in ("Response", "Refusal"):
            return self._answer(raw, opened, cases, at)
        return self._cancellation(raw, opened, cases, at)

    def _duplicate(self, opened: OpenedMessage, case: Case, at: datetime) -> Decision | None:
        """A resend (same id, same bytes) is acknowledged again; a reused id is rejected."""
        record = opened.record
        digest = case.messages.get(record["message_id"])
        if digest is None:
            return None
        if digest != opened.body_sha256.hex():
            raise _reject(
                Reason.DUPLICATE_ID,
                f"message id {record['message_id']} was already used for different content",
                "message_id",
                "give every new message a new UUID",
            )
        receipt = self.out.receipt(
            record["sender"]["code"],
            opened,
            received_at=at,
            outcome="duplicate",
            deadline=case.due_at,
        )
        return Decision("duplicate", [receipt], opened.kind, record["message_id"], None)

    # --- requests (items 14, 16, 19, 21, 22) ----------------------------------------------
    def _request(
        self, raw: bytes, opened: OpenedMessage, cases: CaseLookup, at: datetime
    ) -> Decision:
        record = opened.record
        number = str((record.get("service") or {}).get("registry_number") or "")
        service = self.services().get(number)
        if service is None:
            raise _reject(
                Reason.UNKNOWN_SERVICE,
                "service.registry_number names no service of the unified registry of state "
                "services",
                "service.registry_number",
                "check the service's unique registry number",
            )
        check_request_fields(record, opened.signer, service.documents)
        sender, recipient = record["sender"]["code"], record["recipient"]["code"]
        if service.personal_data and record.get("classification") == "public":
            raise _reject(
                Reason.INVALID_FIELD,
                f"service {number} involves personal data; the request cannot be 'public'",
                "classification",
                "classify it personal_data (or confidential)",
            )
        if not service.may_request(sender, recipient):
            field = "recipient.code" if recipient != service.provider else "sender.code"
            raise _reject(
                Reason.NOT_AUTHORISED,
                f"body {sender} may not request service {number} from body {recipient} (item 21)",
                field,
                "the service registry lists who may request what from whom",
            )
        case = cases(record["case_id"])
        if case is not None:
            dup = self._duplicate(opened, case, at)
            if dup is not None:
                return dup
            raise _reject(
                Reason.DUPLICATE_ID,
                f"case id {record['case_id']} already belongs to another request",
                "case_id",
                "open a new case with a new UUID",
            )
        due = service.deadline.deadline_for(at, self.calendar)
        case = Case(
            case_id=record["case_id"],
            request_id=record["message_id"],
            requester=sender,
            holder=recipient,
            service=number,
            adapters=service.adapters,
            received_at=at,
            due_at=due,
            messages={record["message_id"]: opened.body_sha256.hex()},
            term=service.deadline.to_text(),
        )
        outputs = [
            *self._route(raw, opened, at, to=recipient, adapters=service.adapters, deadline=due),
            self.out.receipt(sender, opened, received_at=at, outcome="accepted", deadline=due),
            *self._events(opened, case, at, actor=sender, stages=("received", "accepted")),
            *self._events(opened, case, at, actor=recipient, stages=("delivered",)),
        ]
        return Decision("accepted", outputs, "Request", record["message_id"], case)

    # --- responses and refusals (items 13, 15, 17, 18) ------------------------------------
    def _open_case(self, opened: OpenedMessage, cases: CaseLookup, ref_field: str) -> Case:
        record = opened.record
        case = cases(record["case_id"])
        if case is None or case.request_id != record[ref_field]:
            raise _reject(
                Reason.UNKNOWN_REQUEST,
                f"{ref_field} names no request of case {record['case_id']} known to the gateway",
                ref_field if case is not None else "case_id",
                "answer with the case_id and message_id of the request you received",
            )
        return case

    def _answer(
        self, raw: bytes, opened: OpenedMessage, cases: CaseLookup, at: datetime
    ) -> Decision:
        record, kind = opened.record, opened.kind
        check_answer_fields(kind, record, opened.signer)
        case = self._open_case(opened, cases, "in_reply_to")
        dup = self._duplicate(opened, case, at)
        if dup is not None:
            return dup
        sender = record["sender"]["code"]
        if sender != case.holder:
            raise _reject(
                Reason.NOT_ADDRESSEE,
                f"only body {case.holder}, to which the request was addressed, may answer it",
                "sender.code",
            )
        self._still_open(case)
        if record["recipient"]["code"] != case.requester:
            raise _reject(
                Reason.INVALID_FIELD,
                f"the answer must go to the requesting body {case.requester}",
                "recipient.code",
            )
        if record["service"]["registry_number"] != case.service:
            raise _reject(
                Reason.INVALID_FIELD,
                f"the request was for service {case.service}",
                "service.registry_number",
            )
        late = case.due_at is not None and at > case.due_at
        status: CaseStatus = "answered" if kind == "Response" else "refused"
        return self._close(raw, opened, case, at, status=status, to=case.requester, late=late)

    @staticmethod
    def _still_open(case: Case) -> None:
        if case.status == "cancelled":
            raise _reject(
                Reason.REQUEST_CANCELLED,
                f"the request of case {case.case_id} was cancelled by the requester",
                "case_id",
            )
        if not case.is_open:
            raise _reject(
                Reason.REQUEST_CLOSED,
                f"the request of case {case.case_id} is already {case.status}",
                "case_id",
            )

    # --- cancellations --------------------------------------------------------------------
    def _cancellation(
        self, raw: bytes, opened: OpenedMessage, cases: CaseLookup, at: datetime
    ) -> Decision:
        record = opened.record
        check_cancellation_fields(record, opened.signer)
        case = self._open_case(opened, cases, "cancels")
        dup = self._duplicate(opened, case, at)
        if dup is not None:
            return dup
        sender = record["sender"]["code"]
        if sender != case.requester:
            raise _reject(
                Reason.NOT_ADDRESSEE,
                f"only the requesting body {case.requester} may cancel its request",
                "sender.code",
            )
        self._still_open(case)
        if record["recipient"]["code"] != case.holder:
            raise _reject(
                Reason.INVALID_FIELD,
                f"the cancellation must go to body {case.holder}, which holds the request",
                "recipient.code",
            )
        return self._close(raw, opened, case, at, status="cancelled", to=case.holder)

    # --- helpers --------------------------------------------------------------------------
    def _route(
        self,
        raw: bytes,
        opened: OpenedMessage,
        at: datetime,
        *,
        to: str,
        adapters: tuple[str, ...],
        deadline: datetime | None,
        late: bool = False,
    ) -> list[Output]:
        """The message, byte for byte, to body ``to``'s inbox and to the service's adapters."""
        topics = [inbox_topic(to), *(adapter_topic(a) for a in adapters)]
        return self.out.forward(topics, raw, opened, received_at=at, deadline=deadline, late=late)

    def _close(
        self,
        raw: bytes,
        opened: OpenedMessage,
        case: Case,
        at: datetime,
        *,
        status: CaseStatus,
        to: str,
        late: bool = False,
    ) -> Decision:
        """Close ``case`` with an answer, refusal or cancellation and route it to ``to``.

        An answer carries the request's deadline (and ``late`` past it); a cancellation none.
        """
        record = opened.record
        new = dataclasses.replace(
            case,
            status=status,
            closed_at=at,
            messages={**case.messages, record["message_id"]: opened.body_sha256.hex()},
        )
        sender = record["sender"]["code"]
        deadline = None if status == "cancelled" else case.due_at
        detail = {"late": "true"} if late else {}
        outputs = [
            *self._route(
                raw, opened, at, to=to, adapters=case.adapters, deadline=deadline, late=late
            ),
            self.out.receipt(sender, opened, received_at=at, outcome="accepted", deadline=None),
            *self._events(
                opened, new, at, actor=sender, stages=("received", status), detail=detail
            ),
            *self._events(opened, new, at, actor=to, stages=("delivered",), detail=detail),
            *self._events(
                opened, new, at, actor=self.gateway_org, stages=("closed",), detail=detail
            ),
        ]
        return Decision("accepted", outputs, opened.kind, record["message_id"], new)

    def _events(
        self,
        opened: OpenedMessage,
        case: Case,
        at: datetime,
        *,
        actor: str,
        stages: tuple[str, ...],
        detail: Mapping[str, str] | None = None,
    ) -> list[Output]:
        base = {
            "type": opened.kind,
            "service": case.service,
            "requester": case.requester,
            "holder": case.holder,
        }
        return [
            self.out.event(
                case_id=case.case_id,
                message_id=opened.record["message_id"],
                stage=stage,
                at=at,
                actor=actor,
                deadline=case.due_at,
                detail={**base, **(detail or {})},
            )
            for stage in stages
        ]

    def _rejected(
        self,
        raw: bytes,
        source: Source,
        error: MessageError,
        opened: OpenedMessage | None,
        at: datetime,
    ) -> Decision:
        """Reject ``raw``. ``opened`` is set once the signature and certificate verified: then
        its signer is told (and only it), and the case the message names gets the events."""
        record = opened.record if opened is not None else None
        signer = opened.signer.org_code if opened is not None else None
        outputs = self.out.rejection(raw, source, error, record=record, signer=signer, at=at)
        mask = self.out.masker
        message_id = mask.shown_id((record or {}).get("message_id"))
        case_id = mask.shown_id((record or {}).get("case_id"))
        body_kind = opened is not None and opened.kind not in _GATEWAY_KINDS
        if body_kind and message_id is not None and case_id is not None:
            actor = signer or "unknown"  # who signed it, whichever outbox it was written to
            detail = {"reason": str(error.reason), "field": error.field or ""}
            for stage in ("received", "rejected"):
                outputs.append(
                    self.out.event(
                        case_id=case_id,
                        message_id=message_id,
                        stage=stage,
                        at=at,
                        actor=actor,
                        deadline=None,
                        detail=detail,
                    )
                )
        return Decision(
            "rejected",
            outputs,
            None if opened is None else opened.kind,
            message_id,
            None,
            Reason(error.reason) if error.reason in Reason else Reason.INTERNAL,
            error.field,
        )
