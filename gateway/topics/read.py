"""Read a whole topic, from its beginning to the end offsets of the moment: for tools that
need the complete picture (dead letters, a table's changelog), never for the hot path."""

from __future__ import annotations

from typing import Any

from aiokafka import ConsumerRecord, TopicPartition

from gateway.kafka import KafkaConnection, start_client

__all__ = ["read_to_end"]


async def read_to_end(connection: KafkaConnection, topic: str) -> list[ConsumerRecord[Any, Any]]:
    """Every record of ``topic`` up to its current end, partition by partition in order."""
    consumer = connection.consumer(enable_auto_commit=False, group_id=None)
    await start_client(connection, consumer)
    try:
        # the cluster's metadata, fresh: the consumer's own cache knows only subscribed topics
        cluster = await consumer._client.fetch_all_metadata()
        partitions = cluster.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        remaining = {tp for tp in tps if ends[tp] > starts[tp]}
        for tp in set(tps) - remaining:
            consumer.pause(tp)
        out: dict[TopicPartition, list[ConsumerRecord[Any, Any]]] = {tp: [] for tp in tps}
        while remaining:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        out[tp].append(record)
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
                        consumer.pause(tp)
        return [r for tp in tps for r in out[tp]]
    finally:
        await consumer.stop()
