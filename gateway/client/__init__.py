"""The agency client (public, typed): sign and send, receive and verify."""

from __future__ import annotations

from gateway.client.agency import GATEWAY_ORG, AgencyClient, InboxItem, Sent
from gateway.client.jsonform import from_json, to_json
from gateway.client.responder import answer_requests, placeholder_documents

__all__ = [
    "GATEWAY_ORG",
    "AgencyClient",
    "InboxItem",
    "Sent",
    "answer_requests",
    "from_json",
    "placeholder_documents",
    "to_json",
]
