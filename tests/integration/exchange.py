"""A private exchange for one test: its own bodies, topics, PKI, service registry and worker.

Bodies get random 9-digit codes, so their outboxes and inboxes belong to this test alone; the
worker runs as a real ``gateway worker`` process (it can be killed with SIGKILL) against the
session's real, secure broker. Every party connects with its own TLS identity and the ACLs
of this test's topics.yaml and services.yaml (``gateway acl``'s plan, applied with the
broker's identity); harness actions (planting, reading whole topics) use the broker's own
identity. Waiting is on events: records that arrive, a port that answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import random
import signal
import subprocess
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from aiokafka import ConsumerRecord, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from gateway.acl import AclInputs, apply_acls, load_plan
from gateway.client import AgencyClient, InboxItem
from gateway.envelope import EnvelopeCodec
from gateway.exceptions import GatewayError
from gateway.kafka import OPERATOR, WORKER, KafkaConnection, adapter_identity, start_client
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_request, sample_response
from gateway.signing import PkiLayout, Signer, Verifier, init_pki
from gateway.signing.tls import ensure_tls
from gateway.topics import load_topics
from gateway.topics.admin import apply_plan, plan_topics
from gateway.worker import start_worker_process, stop_worker_process
from gateway.worker.process import free_port
from tests.conftest import Broker

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "T-1"
ARCHIVE = "T-ARCHIVE"
DECISION = "T-DECISION"
ADAPTERS = ("eqaror", "nisuz", "portal")


@dataclass
class WorkerProcess:
    """A running ``gateway worker``; its output goes to a log file."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def track(self, ident: str) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/track/{ident}") as r:
                return dict(json.load(r))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        stop_worker_process(self.proc)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Exchange:
    """Bodies R (requester), H (holder), X (outsider), S (spare) and everything they need."""

    root: Path
    broker: Broker
    bodies: list[str]
    pki: PkiLayout
    worker_id: str
    adapters: dict[str, str] = field(default_factory=dict)  # adapter -> this test's instance
    registry: SchemaRegistry = field(default_factory=SchemaRegistry.load)
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    @property
    def kafka(self) -> KafkaConnection:
        """The harness's connection (the broker's own identity): to plant and to read all."""
        return self.broker.superuser

    def connection(self, identity: str) -> KafkaConnection:
        """The connection of one party (a body's code, ``gateway-worker``, ``operator``)."""
        return self.broker.connection(identity)

    @property
    def R(self) -> str:  # noqa: N802 -- the requester, named as in the regulation's diagrams
        return self.bodies[0]

    @property
    def H(self) -> str:  # noqa: N802
        return self.bodies[1]

    @property
    def X(self) -> str:  # noqa: N802
        return self.bodies[2]

    @functools.cached_property
    def verifier(self) -> Verifier:
        return Verifier.from_paths([self.pki.ca_cert], [self.pki.crl])

    @functools.cached_property
    def codec(self) -> EnvelopeCodec:
        return EnvelopeCodec(self.registry)

    def signer(self, org: str) -> Signer:
        ident = self.pki.orgs[org]
        return Signer.from_files(ident.key, ident.cert)

    def client(self, org: str) -> AgencyClient:
        return AgencyClient(
            org,
            self.signer(org),
            self.verifier,
            connection=self.connection(org),
            registry=self.registry,
            group_id=f"{org}.{self.worker_id}-{random.randrange(1 << 30)}",
        )

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.broker.env())
        env.update(
            GATEWAY_HOME=str(self.root),
            GATEWAY_TOPICS_FILE=str(self.root / "topics.yaml"),
            GATEWAY_SERVICES_FILE=str(self.root / "services.yaml"),
            GATEWAY_WORKER_ID=self.worker_id,
            GATEWAY_WORKER_SESSION_TIMEOUT_S="6",
            GATEWAY_OVERDUE_CHECK_S="0.5",
            GATEWAY_SERVICES_CHECK_S="0.5",
            GATEWAY_LAG_CHECK_S="1",
            GATEWAY_LOG_FORMAT="json",
            GATEWAY_NISUZ_ADAPTER=self.adapters.get("nisuz", "nisuz"),
        )
        env.update(extra)
        return env

    def start_worker(self, **extra: str) -> WorkerProcess:
        """Start a worker process and wait until its web view answers."""
        port = free_port()
        log = self.root / f"worker-{len(self.workers)}.log"
        try:
            proc = start_worker_process(
                self.env(**extra),
                web_host="127.0.0.1",
                web_port=port,
                log=log,
                args=("--web-port", str(port)),
            )
        except GatewayError as exc:
            raise AssertionError(f"{exc}:\n{log.read_text(errors='replace')}") from None
        worker = WorkerProcess(proc, port, log)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    # --- messages --------------------------------------------------------------------------
    def request(
        self, sender: str | None = None, recipient: str | None = None, **over: Any
    ) -> dict[str, Any]:
        record = sample_request(
            sender={"code": sender or self.R, "name": "Talab qiluvchi organ"},
            recipient={"code": recipient or self.H, "name": "Ma'lumot egasi"},
            service={"registry_number": SERVICE, "name": "Sinov xizmati"},
        )
        for key in ("message_id", "case_id", "sent_at", "signature_requisites"):
            record.pop(key)
        record.update(over)
        return record

    def response(self, request: Mapping[str, Any], **over: Any) -> dict[str, Any]:
        record = sample_response(
            case_id=request["case_id"],
            in_reply_to=request["message_id"],
            sender=dict(request["recipient"]),
            recipient=dict(request["sender"]),
            service=dict(request["service"]),
        )
        for key in ("message_id", "sent_at", "signature_requisites"):
            record.pop(key)
        record.update(over)
        return record


def _topics_file(root: Path, bodies: list[str], adapters: list[str]) -> Path:
    spec = yaml.safe_load((ROOT / "topics.yaml").read_text())
    spec["bodies"] = [{"code": b, "name": f"Body {b}"} for b in bodies]
    spec["adapters"] = adapters
    path = root / "topics.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return path


def _services_file(root: Path, bodies: list[str], adapters: Mapping[str, str]) -> Path:
    requester, holder = bodies[0], bodies[1]
    services = {
        "version": 1,
        "services": [
            {
                "registry_number": SERVICE,
                "name": "Sinov xizmati",
                "provider": holder,
                "requesters": [requester],
                "documents": {
                    "birth_record": "Tug'ilganlik haqidagi dalolatnoma yozuvi",
                    "marriage_record": "Nikoh tuzilganligi haqidagi dalolatnoma yozuvi",
                },
                "deadline": 1,
                "adapters": [adapters["portal"]],
                "personal_data": True,
            },
            {
                "registry_number": DECISION,
                "name": "Hokim qarorini kelishish",
                "provider": holder,
                "requesters": [requester],
                "deadline": 1,
                "adapters": [adapters["eqaror"]],
                "personal_data": False,
            },
            {
                "registry_number": ARCHIVE,
                "name": "Arxiv ma'lumotnomasi",
                "provider": holder,
                "requesters": [requester],
                "deadline": "exempt",
                "adapters": [],
                "personal_data": True,
            },
        ],
    }
    path = root / "services.yaml"
    path.write_text(yaml.safe_dump(services, allow_unicode=True))
    return path


async def make_exchange(root: Path, broker: Broker, unique: str) -> Exchange:
    """Bodies, topics and ACLs (applied on the broker), PKI and service registry for one
    test. The topics are created by the operator identity (as ``gateway topics apply``
    does), the ACLs by the broker's (as ``gateway acl apply`` does)."""
    bodies = [f"7{random.randrange(10**8):08d}" for _ in range(4)]
    adapters = {a: f"{a}-{unique[:10]}" for a in ADAPTERS}
    topics_file = _topics_file(root, bodies, list(adapters.values()))
    topics = load_topics(topics_file)
    services_file = _services_file(root, bodies, adapters)
    pki = init_pki(root / "pki", bodies)
    worker_id = f"gw-{unique}"
    if broker.secure:
        parties = [WORKER, OPERATOR, *(adapter_identity(a) for a in adapters.values()), *bodies]
        ensure_tls(broker.tls_dir, parties)  # each party's TLS identity, from the broker's CA
        wanted = load_plan(AclInputs(topics_file, services_file, worker_id))
        await apply_acls(broker.superuser, wanted)
    operator = broker.connection(OPERATOR)
    admin = operator.admin()
    await start_client(operator, admin)
    try:
        plan, actual = await plan_topics(admin, topics.topics)
        await apply_plan(admin, plan, actual)
    finally:
        await admin.close()
    return Exchange(root, broker, bodies, pki, worker_id, adapters=adapters)


@contextlib.contextmanager
def running(exchange: Exchange) -> Iterator[Exchange]:
    try:
        yield exchange
    finally:
        exchange.stop_workers()


async def first(
    client: AgencyClient, match: Callable[[InboxItem], bool], timeout: float = 60
) -> InboxItem:
    """The first inbox item that matches; fails after ``timeout`` seconds."""

    async def scan() -> InboxItem:
        async with contextlib.aclosing(client.inbox(follow=True, idle_ms=500)) as items:
            async for item in items:
                if match(item):
                    return item
        raise AssertionError("the inbox ended")

    return await asyncio.wait_for(scan(), timeout)


async def read_until(
    connection: KafkaConnection,
    topic: str,
    done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    *,
    timeout: float = 60.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the beginning, until ``done(records)`` or the timeout."""
    consumer = connection.consumer(enable_auto_commit=False)
    await start_client(connection, consumer)
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()  # a topic made moments ago
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not done(records):
            left = end - loop.time()
            if left <= 0:
                break
            batch = await consumer.getmany(timeout_ms=int(min(left, 1.0) * 1000))
            for recs in batch.values():
                records.extend(recs)
        return records
    finally:
        await consumer.stop()


async def produce_raw(
    connection: KafkaConnection,
    topic: str,
    value: bytes,
    key: bytes | None = None,
    headers: Sequence[tuple[str, bytes]] = (),
) -> None:
    producer = connection.producer(acks="all")
    await start_client(connection, producer)
    try:
        await producer.send_and_wait(topic, value, key=key, headers=list(headers))
    finally:
        await producer.stop()


def now_utc() -> datetime:
    return datetime.now(UTC)


Sample = tuple[str, tuple[tuple[str, str], ...]]


def sample(name: str, **labels: str) -> Sample:
    """The key of one Prometheus sample in :func:`parse_metrics`'s answer."""
    return name, tuple(sorted(labels.items()))


def parse_metrics(text: str) -> dict[Sample, float]:
    """A ``/metrics`` page as ``{sample(name, **labels): value}``."""
    return {
        sample(s.name, **s.labels): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(port: int) -> dict[Sample, float]:
    """The ``/metrics`` page of the worker or runner serving on ``port``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as r:
        return parse_metrics(r.read().decode())
