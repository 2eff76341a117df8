"""The unified state services portal adapter: applicants follow their case (resolution 184).

Each message of a case becomes one or two applicant-facing statuses, pushed with
``PUT /api/v1/cases/{case_id}/statuses/{status_id}`` (docs/openapi/portal.yaml):

=================  ===========================================  ==============================
message            statuses                                     body named
=================  ===========================================  ==============================
Request            ``received``, ``sent_to_holder``             requester, then holder
Response           ``answered``, ``result_ready``               holder, then requester
Refusal            ``refused`` (with the holder's reasons)      holder
Status overdue     ``overdue``                                  holder
Status             ``deadline_changed`` (the new deadline)      holder
deadline_changed
=================  ===========================================  ==============================

The first status carries the applicant's portal application number when the request has one
(``extra["portal_application_id"]``); the portal links the case to it. Nothing else about the
applicant is sent. Cancellations and other events mean nothing to the portal:
``not_applicable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AnyHttpUrl, Field

from gateway.adapters.base import DeliveryReceipt
from gateway.adapters.http import HttpAdapter
from gateway.adapters.message import AdapterMessage
from gateway.adapters.portal_texts import stage_text
from gateway.adapters.settings import AdapterSettings

__all__ = ["PortalAdapter", "PortalSettings"]

APPLICATION_KEY = "portal_application_id"


class PortalSettings(AdapterSettings):
    """The portal adapter's settings (the common ones are enough)."""

    base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8083"), description="the portal API's base URL"
    )


def _code(record: Mapping[str, Any], side: str) -> str:
    return str(record[side]["code"])


class PortalAdapter(HttpAdapter):
    """Pushes a case's applicant-facing statuses to the unified portal."""

    name: ClassVar[str] = "portal"
    settings_class: ClassVar[type[AdapterSettings]] = PortalSettings

    def statuses(self, message: AdapterMessage) -> list[tuple[str, str]]:
        """(stage, body code) pairs the message becomes; empty when none applies."""
        record, kind = message.record, message.kind
        sender, recipient = ("", "")
        if kind in {"Request", "Response", "Refusal"}:
            sender, recipient = _code(record, "sender"), _code(record, "recipient")
        if kind == "Request":
            return [("received", sender), ("sent_to_holder", recipient)]
        if kind == "Response":
            return [("answered", sender), ("result_ready", recipient)]
        if kind == "Refusal":
            return [("refused", sender)]
        if kind == "Status" and record.get("stage") in {"overdue", "deadline_changed"}:
            holder = (record.get("detail") or {}).get("holder") or record.get("actor", "")
            return [(str(record["stage"]), str(holder))]
        return []

    async def deliver(self, message: AdapterMessage) -> DeliveryReceipt:
        statuses = self.statuses(message)
        if not statuses:
            return DeliveryReceipt(outcome="not_applicable")
        record = message.record
        application = None
        if message.kind == "Request":
            application = (record.get("extra") or {}).get(APPLICATION_KEY) or None
        number = _service(message)
        service = {"registry_number": number, "name": self.context.service_name(number)}
        if isinstance(record.get("service"), Mapping):
            service["name"] = str(record["service"]["name"]) or service["name"]
        at = _at(message)
        deadline = message.deadline if message.kind != "Status" else record.get("deadline")
        for stage, code in statuses:
            body = {"code": code, "name": self.context.body_name(code)}
            payload: dict[str, Any] = {
                "application_id": application,
                "stage": stage,
                "at": at.isoformat(),
                "body": body,
                "service": service,
                "text": stage_text(
                    stage, body=body["name"], service=service["name"], deadline=deadline
                ),
                "deadline": deadline.isoformat() if deadline else None,
            }
            if stage == "refused":
                payload["reasons"] = [
                    {"code": str(r["code"]), "text": str(r["text"])} for r in record["reasons"]
                ]
            status_id = f"{message.idempotency_key}.{stage}"
            await self.call(
                "PUT",
                f"api/v1/cases/{message.case_id}/statuses/{status_id}",
                idempotency_key=status_id,
                body=payload,
            )
        return DeliveryReceipt(
            remote_id=message.case_id,
            detail={"portal_stages": ",".join(s for s, _ in statuses)},
        )


def _service(message: AdapterMessage) -> str:
    record = message.record
    if isinstance(record.get("service"), Mapping):
        return str(record["service"]["registry_number"])
    return str((record.get("detail") or {}).get("service", ""))


def _at(message: AdapterMessage) -> datetime:
    if message.kind == "Status":
        at: datetime = message.record["at"]
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return message.received_at or datetime.now(UTC)
