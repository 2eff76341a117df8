"""The Kafka principals of the product's processes (bodies are their 9-digit codes)."""

from __future__ import annotations

__all__ = ["BROKER", "OPERATOR", "WORKER", "adapter_identity"]

BROKER = "broker"
"""The broker's own identity: the only super user (inter-broker traffic, ACL management)."""
WORKER = "gateway-worker"
"""The exchange worker: reads outboxes, writes inboxes, events, rejections, adapter topics."""
OPERATOR = "operator"
"""Operators' tools: describe topics and groups (lag, topics apply, dashboards)."""


def adapter_identity(adapter: str) -> str:
    """The principal of the runner of adapter (instance) ``adapter``."""
    return f"adapter-{adapter}"
