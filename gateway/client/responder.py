"""A reference recipient: a holding body's system that answers every request it receives.

Used by ``gateway demo`` and as a starting point for agencies: it reads the body's inbox
(verified, each message once), and answers each request with a signed response carrying the
requested documents. ``documents`` builds the attachments from the request.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from gateway.client.agency import AgencyClient

__all__ = ["answer_requests", "placeholder_documents"]

log = structlog.get_logger(__name__)


def placeholder_documents(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One small PDF per requested item (for demonstrations)."""
    out = []
    for item in request["requested"]:
        data = f"%PDF-1.7\n% {item['code']}\n%%EOF\n".encode()
        out.append(
            {
                "name": f"{item['code']}.pdf",
                "media_type": "application/pdf",
                "size": len(data),
                "sha256": hashlib.sha256(data).digest(),
                "document_kind": None,
                "content": {"data": data},
            }
        )
    return out


async def answer_requests(
    client: AgencyClient,
    *,
    documents: Callable[[Mapping[str, Any]], list[dict[str, Any]]] = placeholder_documents,
    on_answer: Callable[[Mapping[str, Any], str], None] | None = None,
) -> None:
    """Answer every request in ``client``'s inbox until cancelled."""
    async with contextlib.aclosing(client.inbox(follow=True, idle_ms=500)) as items:
        async for item in items:
            if item.message is None or item.message.kind != "Request":
                continue
            request = item.message.record
            response = {
                "case_id": request["case_id"],
                "in_reply_to": request["message_id"],
                "sender": dict(request["recipient"]),
                "recipient": dict(request["sender"]),
                "service": dict(request["service"]),
                "signer": {
                    "surname": "Rasulova",
                    "given_name": "Malika",
                    "patronymic": "Anvarovna",
                    "position": "Bo'lim boshlig'i",
                },
                "classification": request["classification"],
                "documents": documents(request),
                "note": None,
            }
            sent = await client.send("Response", response)
            log.debug("request_answered", case_id=request["case_id"], message_id=sent.message_id)
            if on_answer is not None:
                on_answer(request, sent.message_id)
