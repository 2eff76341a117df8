"""Trust boundaries on the real, secure broker: each party may do what its ACLs allow and
nothing else, and a client the broker does not trust cannot connect, with the cause named.

Each test asserts the Kafka error class the client gets, as an attacker would see it.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from aiokafka.admin import NewTopic
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
    for_code,
)

from gateway.acl import AclInputs, apply_acls, load_plan
from gateway.adapters.runner import group_id as adapter_group
from gateway.kafka import (
    KafkaAccessError,
    KafkaConnection,
    TlsFailure,
    TlsFiles,
    start_client,
)
from gateway.signing.tls import ensure_tls, issue_tls_client
from gateway.topics.names import EVENTS, REJECTED, adapter_topic, inbox_topic, outbox_topic
from tests.conftest import Broker
from tests.integration.exchange import Exchange, make_exchange

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def exchange(tmp_path_factory: pytest.TempPathFactory, kafka_broker: Broker) -> Exchange:
    if not kafka_broker.secure:
        pytest.skip("the broker under test runs without security (PLAINTEXT)")
    root: Path = tmp_path_factory.mktemp("security")
    return await make_exchange(root, kafka_broker, uuid.uuid4().hex[:12])


async def _write(connection: KafkaConnection, topic: str) -> None:
    producer = connection.producer(acks="all", request_timeout_ms=10_000)
    await start_client(connection, producer)
    try:
        await producer.send_and_wait(topic, b"planted", key=b"k")
    finally:
        await producer.stop()


async def _read(connection: KafkaConnection, topic: str, group: str | None = None) -> int:
    consumer = connection.consumer(
        topic, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await start_client(connection, consumer)
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        return sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()


async def test_a_body_writes_its_own_outbox_and_reads_its_own_inbox(exchange: Exchange) -> None:
    body = exchange.connection(exchange.X)
    await _write(body, outbox_topic(exchange.X))
    assert await _read(body, inbox_topic(exchange.X), f"{exchange.X}.own") >= 0


async def test_a_body_cannot_read_another_bodys_inbox(exchange: Exchange) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(exchange.connection(exchange.X), inbox_topic(exchange.H), f"{exchange.X}.spy")


@pytest.mark.parametrize("which", ["outbox", "inbox"])
async def test_a_body_cannot_write_another_bodys_outbox_or_inbox(
    exchange: Exchange, which: str
) -> None:
    topic = outbox_topic(exchange.H) if which == "outbox" else inbox_topic(exchange.H)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(exchange.connection(exchange.X), topic)


@pytest.mark.parametrize("topic", [EVENTS, REJECTED])
async def test_a_body_cannot_read_the_events_or_the_rejections(
    exchange: Exchange, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(exchange.connection(exchange.X), topic, f"{exchange.X}.spy")


async def test_a_body_cannot_join_the_workers_or_an_adapters_group(exchange: Exchange) -> None:
    body = exchange.connection(exchange.X)
    for group in (exchange.worker_id, adapter_group(exchange.adapters["portal"])):
        with pytest.raises(GroupAuthorizationFailedError):
            await _read(body, inbox_topic(exchange.X), group)


async def test_a_body_cannot_create_topics(exchange: Exchange) -> None:
    body = exchange.connection(exchange.X)
    admin = body.admin()
    await start_client(body, admin)
    try:
        response = await admin.create_topics([NewTopic(f"exchange.outbox.9{exchange.X}", 1, 1)])
    finally:
        await admin.close()
    codes = [error[1] for error in response.topic_errors]
    assert [for_code(code) for code in codes] == [TopicAuthorizationFailedError]


async def test_an_adapter_reads_only_its_own_topic(exchange: Exchange) -> None:
    portal, eqaror = exchange.adapters["portal"], exchange.adapters["eqaror"]
    runner = exchange.connection(f"adapter-{portal}")
    assert await _read(runner, adapter_topic(portal), adapter_group(portal)) >= 0
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        await _read(runner, adapter_topic(eqaror), adapter_group(portal))
    # it may notify the bodies of its services (R and H), no other inbox
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(runner, inbox_topic(exchange.X))


async def test_the_operator_sees_no_message(exchange: Exchange) -> None:
    operator = exchange.connection("operator")
    for topic in (outbox_topic(exchange.R), inbox_topic(exchange.H), REJECTED):
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(operator, topic, "operator.spy")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(operator, outbox_topic(exchange.R))


def _client(broker: Broker, tls: TlsFiles) -> KafkaConnection:
    return KafkaConnection((broker.bootstrap,), "SSL", tls=tls, identity="stranger")


async def _refusal(connection: KafkaConnection) -> TlsFailure:
    producer = connection.producer()
    with pytest.raises(KafkaAccessError) as refused:
        await start_client(connection, producer)
    assert connection.identity in str(refused.value)
    return refused.value.failure


async def test_a_client_without_a_certificate_cannot_connect(kafka_broker: Broker) -> None:
    anonymous = _client(kafka_broker, TlsFiles(kafka_broker.tls.ca_cert))
    assert await _refusal(anonymous) is TlsFailure.CERTIFICATE_REQUIRED


async def test_a_client_with_an_expired_certificate_cannot_connect(
    kafka_broker: Broker, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    old = issue_tls_client(
        kafka_broker.tls_dir,
        "201000001",
        tmp_path,
        not_before=now - timedelta(days=30),
        not_after=now - timedelta(days=1),
    )
    expired = _client(kafka_broker, TlsFiles(kafka_broker.tls.ca_cert, old.cert, old.key))
    assert await _refusal(expired) is TlsFailure.CERTIFICATE_EXPIRED


async def test_a_client_of_another_ca_cannot_connect(kafka_broker: Broker, tmp_path: Path) -> None:
    other = ensure_tls(tmp_path / "other-tls", ["201000001"]).client("201000001")
    foreign = _client(kafka_broker, TlsFiles(kafka_broker.tls.ca_cert, other.cert, other.key))
    assert await _refusal(foreign) is TlsFailure.UNKNOWN_CA


async def test_a_client_that_does_not_trust_the_brokers_ca_is_told_so(
    kafka_broker: Broker, tmp_path: Path
) -> None:
    other = ensure_tls(tmp_path / "other-tls", ["201000001"])
    own = kafka_broker.tls.client("operator")
    misled = _client(kafka_broker, TlsFiles(other.ca_cert, own.cert, own.key))
    assert await _refusal(misled) is TlsFailure.SERVER_UNTRUSTED


async def test_a_body_taken_out_of_the_registry_loses_access_after_prune(
    exchange: Exchange,
) -> None:
    removed = exchange.bodies[3]  # the spare body
    body = exchange.connection(removed)
    producer = body.producer(acks="all", request_timeout_ms=10_000)
    await start_client(body, producer)
    try:
        await producer.send_and_wait(outbox_topic(removed), b"before", key=b"k")
        spec = yaml.safe_load((exchange.root / "topics.yaml").read_text())
        spec["bodies"] = [b for b in spec["bodies"] if b["code"] != removed]
        smaller = exchange.root / "topics-without-spare.yaml"
        smaller.write_text(yaml.safe_dump(spec, allow_unicode=True))
        wanted = load_plan(AclInputs(smaller, exchange.root / "services.yaml", exchange.worker_id))
        changes = await apply_acls(exchange.kafka, wanted, prune=True)
        assert {a.principal for a in changes.delete} >= {removed}
        assert not any(a.principal == removed for a in wanted)
        # the same open connection: authorisation is checked on every request
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(outbox_topic(removed), b"after", key=b"k")
    finally:
        with contextlib.suppress(KafkaError):
            await producer.stop()
    again = await apply_acls(exchange.kafka, wanted, prune=True)
    assert again.empty  # a second run changes nothing
