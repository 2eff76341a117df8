"""Which consumer groups are the product's own: the worker's and one per adapter."""

from __future__ import annotations

from gateway.config import Settings
from gateway.topics import load_topics

__all__ = ["adapter_group", "product_groups"]


def adapter_group(name: str) -> str:
    """The consumer group of adapter ``name``'s runner (it reads ``exchange.adapter.<name>``)."""
    # the runner owns the name; imported here because its own imports are heavy
    from gateway.adapters.runner import group_id  # noqa: PLC0415

    return group_id(name)


def product_groups(settings: Settings) -> tuple[str, ...]:
    """The worker's group (the Faust app id) and the adapters' groups from the topics file.

    Reads ``settings.topics_file``; a missing or bad file raises its
    :class:`~gateway.exceptions.SpecError`.
    """
    spec = load_topics(settings.topics_file)
    return (settings.worker_id, *(adapter_group(a) for a in spec.adapters))
