"""`gateway topics apply` against the real broker."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from gateway.cli.topics import render_plan
from gateway.kafka import start_client
from gateway.topics import apply_plan, describe_topics, load_topics, plan_topics
from tests.conftest import Broker

pytestmark = pytest.mark.integration

FILE = """\
version: 1
bodies:
  - code: "301000001"
    name: Test body
adapters: [demo]
topics:
  - name: t{u}.outbox.{{body}}
    partitions: 2
    retention_ms: {retention}
  - name: t{u}.adapter.{{adapter}}
    partitions: 1
    cleanup_policy: delete
"""


async def apply_file(admin: AIOKafkaAdminClient, path: Path) -> list[str]:
    spec = load_topics(path)
    plan, actual = await plan_topics(admin, spec.topics)
    await apply_plan(admin, plan, actual)
    return render_plan(plan, dry_run=False)


async def test_second_apply_changes_nothing(
    tmp_path: Path, kafka_admin: AIOKafkaAdminClient, unique: str
) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(FILE.format(u=unique, retention=60000))
    first = await apply_file(kafka_admin, path)
    assert first[-1] == "create 2, change 0, drift 0, unchanged 0"
    second = await apply_file(kafka_admin, path)
    assert second == ["no changes: 2 topics as declared"]
    actual = await describe_topics(kafka_admin, [f"t{unique}.outbox.301000001"])
    topic = actual[f"t{unique}.outbox.301000001"]
    assert topic.partitions == 2
    assert topic.configs["retention.ms"] == "60000"
    await kafka_admin.delete_topics([f"t{unique}.outbox.301000001", f"t{unique}.adapter.demo"])


async def test_safe_change_keeps_hand_set_configs_and_drift_is_reported(
    tmp_path: Path, kafka_admin: AIOKafkaAdminClient, unique: str, kafka_broker: Broker
) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(FILE.format(u=unique, retention=60000))
    await apply_file(kafka_admin, path)
    outbox = f"t{unique}.outbox.301000001"
    # an operator sets a config by hand; apply must not wipe it
    await kafka_admin.alter_configs(
        [
            ConfigResource(
                ConfigResourceType.TOPIC,
                outbox,
                {"retention.ms": "60000", "max.message.bytes": "2000000"},
            )
        ]
    )
    harness = kafka_broker.superuser
    producer = harness.producer()
    await start_client(harness, producer)
    await producer.send_and_wait(outbox, b"kept", partition=0)
    await producer.stop()

    path.write_text(
        FILE.format(u=unique, retention=120000).replace("partitions: 2", "partitions: 4")
    )
    lines = await apply_file(kafka_admin, path)
    assert f"change {outbox}: retention.ms 60000 -> 120000" in lines
    assert any(line.startswith(f"drift {outbox}: partitions is 2, file wants 4") for line in lines)
    topic = (await describe_topics(kafka_admin, [outbox]))[outbox]
    assert topic.configs["retention.ms"] == "120000"
    assert topic.configs["max.message.bytes"] == "2000000"
    assert topic.partitions == 2

    path.write_text(FILE.format(u=unique, retention=1000))  # lowering retention: drift only
    lines = await apply_file(kafka_admin, path)
    assert any("retention.ms is 120000, file wants 1000" in line for line in lines)
    assert (await describe_topics(kafka_admin, [outbox]))[outbox].configs[
        "retention.ms"
    ] == "120000"

    consumer = harness.consumer(outbox, auto_offset_reset="earliest")
    await start_client(harness, consumer)
    message = await consumer.getone()
    await consumer.stop()
    assert message.value == b"kept"
    await kafka_admin.delete_topics([outbox, f"t{unique}.adapter.demo"])
