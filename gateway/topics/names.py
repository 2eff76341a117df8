"""Topic names of the exchange, in one place (they match the patterns of topics.yaml)."""

from __future__ import annotations

__all__ = [
    "EVENTS",
    "REJECTED",
    "adapter_dlq_topic",
    "adapter_topic",
    "inbox_topic",
    "outbox_topic",
]

EVENTS = "exchange.events"
REJECTED = "exchange.rejected"


def outbox_topic(org: str) -> str:
    """Where body ``org`` publishes; only ``org`` may write it (Kafka ACL)."""
    return f"exchange.outbox.{org}"


def inbox_topic(org: str) -> str:
    """Where the gateway delivers to body ``org``; only ``org`` may read it (Kafka ACL)."""
    return f"exchange.inbox.{org}"


def adapter_topic(name: str) -> str:
    return f"exchange.adapter.{name}"


def adapter_dlq_topic(name: str) -> str:
    return f"exchange.adapter-dlq.{name}"
