"""Where a table key's changelog record goes: computed here, never asked of the producer.

Every outbox and the events topic are keyed by the case id and placed by Kafka's default
(murmur2) partitioner; the tables must put a case in the same partition number. Faust's
``use_partitioner`` asks its producer, which fails (``TypeError`` deep in aiokafka) when the
producer has no metadata yet for a changelog topic created moments before, as on a fresh
deployment. The partition depends only on the key and the partition count, so compute it.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from typing import Any

import faust
from aiokafka.partitioner import murmur2

__all__ = ["GatewayTable", "key_partitioner", "partition_of"]


@functools.lru_cache(maxsize=65536)
def _key_hash(key: bytes) -> int:
    """Kafka's murmur2 of ``key``, made positive. Pure Python in aiokafka (about 7 µs here),
    and every output of a request carries the same case key, so it is remembered."""
    return int(murmur2(key)) & 0x7FFFFFFF


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives ``key`` among ``partitions``."""
    return _key_hash(key.encode()) % partitions


def key_partitioner(
    key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]
) -> int:
    """aiokafka's default partitioner with the key's hash remembered: the same placement."""
    if key is None:
        return random.choice(available or all_partitions)  # noqa: S311 -- placement, not secrecy
    return all_partitions[_key_hash(key) % len(all_partitions)]


class GatewayTable(faust.Table[Any, Any]):
    """A Faust table whose keys (case or message ids, text) are placed like Kafka places them."""

    def partition_for_key(self, key: Any) -> int:
        # build_worker always passes ``partitions`` (the outboxes' common count)
        assert self.partitions is not None  # noqa: S101
        text = str(key)
        head, sep, _ = text.partition("|")
        if sep and head.isdigit():  # "<partition>|...": the statistics table names its own
            return int(head)
        return partition_of(text, self.partitions)
