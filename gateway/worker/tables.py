"""Where a table key's changelog record goes: computed here, never asked of the producer.

Every outbox and the events topic are keyed by the case id and placed by Kafka's default
(murmur2) partitioner; the tables must put a case in the same partition number. Faust's
``use_partitioner`` asks its producer, which fails (``TypeError`` deep in aiokafka) when the
producer has no metadata yet for a changelog topic created moments before, as on a fresh
deployment. The partition depends only on the key and the partition count, so compute it.
"""

from __future__ import annotations

from typing import Any

import faust
from aiokafka.partitioner import DefaultPartitioner

__all__ = ["GatewayTable", "partition_of"]

_PARTITIONER = DefaultPartitioner()


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives ``key`` among ``partitions``."""
    every = list(range(partitions))
    return int(_PARTITIONER(key.encode(), every, every))


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
