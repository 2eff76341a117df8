"""The E-qaror adapter: decisions of executive bodies, registered and sent for agreement.

E-qaror (contract 000) is the single system for drafting, agreeing (kelishish) and
registering decisions of executive bodies. A service that routes to ``eqaror`` hands it the
documents whose ``document_kind`` is an E-qaror kind (cover letter, hokim's decision, hokim's
order, council of deputies' decision): the application of a request, or the documents of a
response. Each is submitted with ``POST /api/v1/documents`` (docs/openapi/eqaror.yaml) under
its message id, which is also the idempotency key.

E-qaror's answer (registration number, agreement outcome) becomes the ``delivered`` lifecycle
event's detail and a gateway-signed notice to the requesting body. A message without an
E-qaror document is ``not_applicable``. The documents' bytes are not sent: E-qaror receives
their title, kind, size and SHA-256, and the sender's signed envelope keeps the bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import AnyHttpUrl, Field

from gateway.adapters.base import DeliveryReceipt
from gateway.adapters.http import HttpAdapter
from gateway.adapters.message import AdapterMessage
from gateway.adapters.settings import AdapterSettings

__all__ = ["EqarorAdapter", "EqarorSettings"]

KINDS = frozenset({"cover_letter", "hokim_decision", "hokim_order", "council_decision"})


class EqarorSettings(AdapterSettings):
    """The E-qaror adapter's settings (the common ones are enough)."""

    base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8081"), description="the eqaror API's base URL"
    )


def _documents(message: AdapterMessage) -> list[tuple[str, Mapping[str, Any]]]:
    """(external id, document) of each E-qaror document the message carries."""
    record = message.record
    if message.kind == "Request":
        docs = [record["application"]]
    elif message.kind == "Response":
        docs = list(record.get("documents") or [])
    else:
        return []
    chosen = [d for d in docs if d.get("document_kind") in KINDS]
    if len(chosen) == 1:
        return [(message.message_id, chosen[0])]
    return [(f"{message.message_id}.{i}", d) for i, d in enumerate(chosen, 1)]


class EqarorAdapter(HttpAdapter):
    """Registers decisions in E-qaror and reports the registration number back."""

    name: ClassVar[str] = "eqaror"
    settings_class: ClassVar[type[AdapterSettings]] = EqarorSettings

    async def deliver(self, message: AdapterMessage) -> DeliveryReceipt:
        documents = _documents(message)
        if not documents:
            return DeliveryReceipt(outcome="not_applicable")
        record = message.record
        sender = record["sender"]
        numbers, outcomes, ids = [], [], []
        for external_id, doc in documents:
            _, answer = await self.call(
                "POST",
                "api/v1/documents",
                idempotency_key=external_id,
                body={
                    "external_id": external_id,
                    "case_id": message.case_id,
                    "organisation": {"code": str(sender["code"]), "name": str(sender["name"])},
                    "kind": str(doc["document_kind"]),
                    "title": str(doc["name"]),
                    "sha256": bytes(doc["sha256"]).hex(),
                    "size": int(doc["size"]),
                    "service": str(record["service"]["registry_number"]),
                },
            )
            numbers.append(str(answer.get("registration_number", "")))
            outcomes.append(str((answer.get("agreement") or {}).get("status", "")))
            ids.append(str(answer.get("document_id", "")))
        requester = message.requester
        return DeliveryReceipt(
            remote_id=",".join(ids),
            detail={
                "registration_number": ",".join(numbers),
                "agreement": ",".join(outcomes),
                "eqaror_kind": ",".join(str(d["document_kind"]) for _, d in documents),
            },
            notify=(requester,) if requester else (),
        )
