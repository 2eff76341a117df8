"""Kafka headers that repeat a message's routing fields for operators.

Headers are a convenience for inspection (``kcat``, dashboards); the gateway decides only on
the signed body, never on a header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["HEADER_NAMES", "headers_dict", "routing_headers"]

HEADER_NAMES = ("message_id", "case_id", "type", "sender", "recipient", "service")


def routing_headers(kind: str, record: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """The headers of a message of type ``kind`` (e.g. ``Request``) with body ``record``."""
    values = {
        "message_id": record.get("message_id"),
        "case_id": record.get("case_id"),
        "type": kind,
        "sender": (record.get("sender") or {}).get("code"),
        "recipient": (record.get("recipient") or {}).get("code"),
        "service": (record.get("service") or {}).get("registry_number"),
    }
    return [(name, str(value).encode()) for name, value in values.items() if value is not None]


def headers_dict(headers: Iterable[tuple[str, bytes]] | None) -> dict[str, str]:
    """Kafka headers as a dict of text, for display; undecodable values are replaced."""
    return {k: v.decode("utf-8", "replace") for k, v in headers or ()}
