"""Read the statistics table from its changelog topic: every worker's partitions, to their end.

The changelog is the table's system of record (Faust rebuilds the table from it), so reading
it to the end gives the complete figures without asking any worker. Newest value per key wins;
a tombstone deletes the key.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.kafka import KafkaConnection
from gateway.topics.read import read_to_end

__all__ = ["STATS_TABLE", "changelog_topic", "read_table"]

STATS_TABLE = "statistics"


def changelog_topic(worker_id: str, table: str = STATS_TABLE) -> str:
    """Faust's name for a table's changelog topic: ``<app id>-<table>-changelog``."""
    return f"{worker_id}-{table}-changelog"


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return str(json.loads(text)) if text.startswith('"') else text


async def read_table(connection: KafkaConnection, topic: str) -> dict[str, dict[str, Any]]:
    """The table in ``topic``: key -> value, as of the topic's end offsets now."""
    table: dict[str, dict[str, Any]] = {}
    for record in await read_to_end(connection, topic):
        if record.key is None:
            continue
        key = _text(record.key)
        if record.value is None:
            table.pop(key, None)
        else:
            table[key] = json.loads(record.value)
    return table
