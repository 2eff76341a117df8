"""The Faust app: intake agent, tracking agent, overdue and reload timers, tracking web page.

CRLs are reloaded by a timer every ``crl_check_s`` (:mod:`gateway.worker.crl`); while the CRLs
in force are past their nextUpdate (fail closed) the intake agent holds its batch.

The calendar in force (``calendar.yaml`` over the ``holidays`` package) is reloaded by a
timer every ``calendar_check_s``; after a change, and whenever the worker takes over
partitions, the open cases' deadlines are recomputed (:mod:`gateway.worker.deadlines`).

Tables (memory or RocksDB, rebuilt from their changelog topics):

* ``cases``: case id -> :class:`~gateway.pipeline.Case` (open cases, deadlines, message ids);
* ``tracking``: case id -> the case's timeline, built from the events topic;
* ``message_cases``: message id -> case id, so a case is found by any of its message ids;
* ``statistics``: ``<partition>|<body>|<service>|<day>`` -> that day's figures for NIS.UZ
  (:mod:`gateway.statistics`), counted by the tracker from the events.

Every table uses the producer's partitioner on the case id, the key of every outbox and of the
events topic, so a case's state lives on the worker that consumes the case's partition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import faust
import structlog
from faust.types import EventT
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr

from gateway.calendar import ReloadingCalendar
from gateway.config import Settings
from gateway.dashboard import DashboardAuthError, Role, Tokens, authorise, wire_dashboard
from gateway.envelope import EnvelopeCodec
from gateway.exceptions import ConfigError, GatewayError
from gateway.kafka import WORKER, KafkaConnection, connection_for
from gateway.lag import adapter_group
from gateway.metrics import BrokerProbe, CalendarMetrics, CrlMetrics, WorkerMetrics, readiness
from gateway.pipeline import Case, Intake, IntakePolicy, Outputs, Source, overdue_outputs
from gateway.schemas import SchemaRegistry
from gateway.services import ReloadingRegistry
from gateway.signing import Signer, TrustStore, Verifier
from gateway.statistics import (
    STATS_TABLE,
    compute_report,
    count_event,
    merge,
    parse_period,
    report_json,
    report_output,
    stats_key,
)
from gateway.topics import TopicsFile, load_topics
from gateway.topics.names import EVENTS, outbox_topic
from gateway.worker.crl import CrlGuard, crl_guard
from gateway.worker.dashboard import WorkerDashboard
from gateway.worker.deadlines import DeadlineKeeper, calendar_state, keeper_for, wire_calendar
from gateway.worker.delivery import Deliverer, run_shielded
from gateway.worker.monitor import LagMonitor, Progress
from gateway.worker.tables import GatewayTable, partition_of

__all__ = ["GatewayWorker", "build_worker"]

log = structlog.get_logger(__name__)

_CLEANUP_AFTER = timedelta(days=30)  # closed cases kept for duplicates and tracking
# Faust holds at most 100 unsent table-changelog records and pauses every stream while it is
# full; a tracker batch writes at most one record per case, so 90 events never reach that.
_TRACKER_BATCH = 90


def _partitions(settings: Settings, spec: TopicsFile) -> tuple[tuple[str, ...], int]:
    """The outbox topics and their common partition count (the tables' partition count)."""
    by_name = spec.by_name()
    outboxes = tuple(outbox_topic(b.code) for b in spec.bodies)
    missing = [t for t in (*outboxes, EVENTS) if t not in by_name]
    if not outboxes or missing:
        raise ConfigError(
            f"{settings.topics_file} declares no bodies or lacks topics: {', '.join(missing)}",
            field="topics_file",
            hint="declare exchange.outbox.{body} and exchange.events (see topics.yaml)",
        )
    counts = {by_name[t].partitions for t in (*outboxes, EVENTS)}
    if len(counts) != 1:
        raise ConfigError(
            f"{settings.topics_file}: the outboxes and exchange.events must have one partition "
            f"count (found {sorted(counts)}); a case's state lives with its partition",
            field="topics_file",
            hint="give exchange.outbox.{body} and exchange.events the same partitions",
        )
    return outboxes, counts.pop()


def _check_services(settings: Settings, spec: TopicsFile, services: ReloadingRegistry) -> None:
    """Every body and adapter the service registry names must have its topics."""
    bodies = {b.code for b in spec.bodies}
    unknown_bodies = sorted(services.current.bodies - bodies)
    unknown_adapters = sorted(services.current.adapters - set(spec.adapters))
    if unknown_bodies or unknown_adapters:
        raise ConfigError(
            f"{settings.services_file} names bodies {unknown_bodies} or adapters "
            f"{unknown_adapters} that {settings.topics_file} does not declare",
            field="services_file",
            hint="add them to topics.yaml and run `gateway topics apply`, or fix the registry",
        )


@dataclasses.dataclass
class GatewayWorker:
    """The app and everything its agents share; built once by :func:`build_worker`."""

    settings: Settings
    connection: KafkaConnection
    app: faust.App
    intake: Intake
    outputs: Outputs
    deliverer: Deliverer
    services: ReloadingRegistry
    registry: SchemaRegistry
    outboxes: tuple[str, ...]
    adapters: tuple[str, ...]
    partitions: int
    cases: Any  # faust.Table: case id -> Case.to_json()
    tracking: Any  # faust.Table: case id -> list of events
    message_cases: Any  # faust.Table: message id -> case id
    statistics: Any  # faust.Table: stats key -> the day's figures
    monitor: LagMonitor
    calendars: ReloadingCalendar  # the calendar in force: calendar.yaml over the package
    metrics: WorkerMetrics = dataclasses.field(init=False)
    deadlines: DeadlineKeeper = dataclasses.field(init=False)
    progress: Progress = dataclasses.field(init=False)
    crl: CrlGuard | None = None  # None: no CRL file configured, nothing to reload or expire

    def __post_init__(self) -> None:
        self.metrics = WorkerMetrics(self.owned_cases, self.now_ms)
        self.metrics.registry.register(self.monitor.metrics)
        crl = self.crl
        self.metrics.registry.register(CrlMetrics(lambda: crl.state() if crl else None))
        self.progress = Progress(self.settings.worker_stall_s)
        self.deadlines = keeper_for(self)
        self.metrics.registry.register(CalendarMetrics(lambda: calendar_state(self.deadlines)))

    def now(self) -> datetime:
        """The worker's clock (shifted only in drills and tests, ``clock_offset_s``)."""
        return datetime.now(UTC) + timedelta(seconds=self.settings.clock_offset_s)

    def now_ms(self) -> int:
        """The worker's clock in epoch milliseconds, the unit of the cases' deadlines."""
        return int(self.now().timestamp() * 1000)

    def owned_cases(self) -> list[dict[str, Any]]:
        """The case states of this worker's active partitions (standby copies excluded);
        read when Prometheus scrapes ``/metrics``."""
        mine = self._local_partitions()
        return [
            value
            for case_id, value in list(self.cases.items())
            if partition_of(case_id, self.partitions) in mine
        ]

    # --- intake ---------------------------------------------------------------------------
    async def handle_batch(self, events: Sequence[EventT[bytes]]) -> None:
        """Decide on a batch, produce its outputs, then store the new case states.

        Runs shielded: the batch's offsets are acknowledged to Faust only after this returns,
        so they are committed only after the outputs are in Kafka (at-least-once). First,
        while the CRLs in force are expired and the worker fails closed, it waits (nothing of
        the batch decided or committed) until a fresh CRL is loaded (:class:`CrlGuard`).
        """
        if self.crl is not None:
            await self.crl.admit()
        overlay: dict[str, Case] = {}

        def lookup(case_id: str) -> Case | None:
            case = overlay.get(case_id)
            if case is None:
                stored = self.cases.get(case_id)
                case = Case.from_json(stored) if stored else None
            return case

        now = self.now()
        outputs = []
        decisions = []
        stamps = []
        for event in events:
            msg = event.message
            stamps.append(msg.timestamp)
            source = Source(
                msg.topic, msg.partition, msg.offset, datetime.fromtimestamp(msg.timestamp, UTC)
            )
            decision = self.intake.process(event.value or b"", source, lookup, now)
            if decision.case is not None:
                overlay[decision.case.case_id] = decision.case
            outputs.extend(decision.outputs)
            decisions.append(decision)
            if decision.outcome == "rejected":
                log.info(
                    "message_rejected",
                    reason=str(decision.reason),
                    field=decision.field,
                    kind=decision.kind,
                    message_id=decision.message_id,
                    topic=msg.topic,
                    partition=msg.partition,
                    offset=msg.offset,
                )
        self.metrics.decided(decisions)

        async def commit() -> None:
            await self.deliverer.deliver(outputs)
            self.metrics.acknowledged(outputs, stamps)
            for case_id, case in overlay.items():
                self.cases[case_id] = case.to_json()

        await run_shielded(commit, "intake")
        self.progress.mark("intake")

    # --- tracking -------------------------------------------------------------------------
    async def track_batch(self, events: Sequence[EventT[bytes]]) -> None:
        """Append events to their cases' timelines (idempotent by event id)."""
        updates: dict[str, list[dict[str, Any]]] = {}
        figures: dict[str, dict[str, Any]] = {}
        for event in events:
            try:
                record = self.registry.decode_single(event.value or b"").record
            except GatewayError as exc:
                log.warning("event_unreadable", reason=str(exc.reason), offset=event.message.offset)
                continue
            case_id = record.get("case_id")
            if not case_id:
                continue
            timeline = updates.get(case_id)
            if timeline is None:
                timeline = list(self.tracking.get(case_id) or [])
            if any(e["event_id"] == record["event_id"] for e in timeline):
                continue
            tally = count_event(record, timeline, self.intake.calendar)
            if tally is not None:
                key = stats_key(event.message.partition, tally.body, tally.service, tally.day)
                figures[key] = merge(figures.get(key) or self.statistics.get(key), tally)
            timeline.append(_timeline_entry(record))
            updates[case_id] = timeline
            if record["message_id"] != case_id and record["message_id"] not in self.message_cases:
                self.message_cases[record["message_id"]] = case_id
        for case_id, timeline in updates.items():
            self.tracking[case_id] = timeline
        for key, value in figures.items():
            self.statistics[key] = value
        self.progress.mark("tracker")

    async def report_statistics(self, first: date, last: date) -> dict[str, Any]:
        """Compute the NIS.UZ report of ``first``..``last`` and hand it to the NIS.UZ adapter."""
        report = await compute_report(self.settings, first, last, self.now())
        adapter = self.settings.nisuz_adapter
        await self.deliverer.deliver([report_output(self.registry, report, adapter)])
        log.info("statistics_reported", report_id=report["report_id"], rows=len(report["rows"]))
        return report

    def find(self, ident: str) -> dict[str, Any] | None:
        """A case by case id or by any of its message ids: state and timeline."""
        case_id = ident if ident in self.tracking or ident in self.cases else None
        case_id = case_id or self.message_cases.get(ident)
        if case_id is None:
            return None
        return {
            "case_id": case_id,
            "case": self.cases.get(case_id),
            "timeline": list(self.tracking.get(case_id) or []),
        }

    def stalled(self) -> list[str]:
        """The agents stuck with input waiting on this worker's partitions (for /readyz)."""

        def agent(topic: str) -> str | None:
            if topic in self.outboxes:
                return "intake"
            return "tracker" if topic == EVENTS else None

        mine = {(tp.topic, tp.partition) for tp in self.app.assignor.assigned_actives()}
        return self.progress.stalled(self.monitor.groups, self.settings.worker_id, agent, mine)

    # --- deadlines ------------------------------------------------------------------------
    def _local_partitions(self) -> set[int]:
        actives = self.app.assignor.assigned_actives()
        return {tp.partition for tp in actives if tp.topic in self.outboxes}

    async def check_overdue(self) -> int:
        """Announce every open case of this worker's partitions that is past its deadline
        (first, deadlines are brought to the calendar in force)."""
        now = self.now()
        await self.deadlines.reconcile(now)
        now_ms = int(now.timestamp() * 1000)
        mine = self._local_partitions()
        late: list[Case] = []
        stale: list[str] = []
        for case_id, value in list(self.cases.items()):
            if partition_of(case_id, self.partitions) not in mine:
                continue
            if value.get("status") != "open":
                closed = value.get("closed_at") or now_ms
                if now_ms - closed > _CLEANUP_AFTER.total_seconds() * 1000:
                    stale.append(case_id)
                continue
            due = value.get("due_at")
            if due is not None and due < now_ms and not value.get("overdue_notified"):
                late.append(Case.from_json(value))
        if not late and not stale:
            return 0
        outputs = [
            o
            for case in late
            for o in overdue_outputs(case, self.outputs, now=now, actor=self.settings.gateway_org)
        ]

        async def commit() -> None:
            await self.deliverer.deliver(outputs)
            for case in late:
                self.cases[case.case_id] = {**case.to_json(), "overdue_notified": True}
            for case_id in stale:
                del self.cases[case_id]

        await run_shielded(commit, "overdue")
        if late:
            log.info("cases_overdue", count=len(late))
        return len(late)


def _timeline_entry(record: dict[str, Any]) -> dict[str, Any]:
    deadline = record.get("deadline")
    return {
        "event_id": record["event_id"],
        "message_id": record["message_id"],
        "stage": record["stage"],
        "at": record["at"].isoformat(),
        "actor": record["actor"],
        "deadline": deadline.isoformat() if deadline else None,
        "detail": dict(record.get("detail") or {}),
    }


def build_worker(settings: Settings) -> GatewayWorker:
    """Build the app from the settings; a bad file, key or certificate stops here, clearly."""
    spec = load_topics(settings.topics_file)
    outboxes, partitions = _partitions(settings, spec)
    registry = SchemaRegistry.load()
    codec = EnvelopeCodec(registry, v1_until=settings.envelope_v1_until)
    verifier = Verifier(TrustStore.from_paths(settings.trust_paths))  # CRLs: the watch loads them
    crl = crl_guard(settings, verifier)
    signer = Signer.from_files(settings.gateway_key_path, settings.gateway_cert_path)
    services = ReloadingRegistry(settings.services_file)
    _check_services(settings, spec, services)
    calendars = ReloadingCalendar(
        settings.calendar_file,
        clock=lambda: datetime.now(UTC) + timedelta(seconds=settings.clock_offset_s),
    )
    outputs = Outputs(codec, signer)
    intake = Intake(
        codec,
        verifier,
        outputs,
        lambda: services.current,
        lambda: calendars.current,
        gateway_org=settings.gateway_org,
        policy=IntakePolicy(
            max_clock_skew=timedelta(seconds=settings.max_clock_skew_s),
            max_age=timedelta(hours=settings.max_age_h),
        ),
    )
    datadir = settings.home / "worker" / settings.worker_id
    datadir.mkdir(parents=True, exist_ok=True)
    connection = connection_for(settings, WORKER)
    app = faust.App(
        settings.worker_id,
        **connection.faust_options(),
        store=settings.table_store,
        datadir=str(datadir),
        topic_partitions=partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        consumer_max_fetch_size=6 * 1024 * 1024,
        producer_linger=0.005,
        producer_acks=-1,
        producer_max_request_size=6 * 1024 * 1024,
        broker_session_timeout=settings.worker_session_timeout_s,
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        stream_ack_exceptions=False,
        stream_ack_cancelled_tasks=False,
        web_host=settings.worker_web_host,
        web_bind=settings.worker_web_host,
        web_port=settings.worker_web_port,
        web_in_thread=False,
        Table=GatewayTable,
    )
    table_options: dict[str, Any] = {
        "default": None,
        "key_type": str,
        "use_partitioner": True,
        "partitions": partitions,
    }
    worker = GatewayWorker(
        settings=settings,
        connection=connection,
        app=app,
        intake=intake,
        outputs=outputs,
        deliverer=Deliverer(connection, client_id=f"{settings.worker_id}-out"),
        services=services,
        registry=registry,
        outboxes=outboxes,
        adapters=spec.adapters,
        partitions=partitions,
        cases=app.Table("cases", **table_options),
        tracking=app.Table("tracking", **table_options),
        message_cases=app.Table("message_cases", **table_options),
        statistics=app.Table(STATS_TABLE, **table_options),
        monitor=LagMonitor(
            connection,
            (settings.worker_id, *(adapter_group(a) for a in spec.adapters)),
        ),
        calendars=calendars,
        crl=crl,
    )
    _wire(worker)
    _wire_crl(worker)
    wire_calendar(worker)
    return worker


def _wire(worker: GatewayWorker) -> None:
    """Agents, timers and pages: thin wiring, every decision is in the core."""
    app, settings = worker.app, worker.settings
    outboxes = app.topic(
        *worker.outboxes,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    events = app.topic(
        EVENTS, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    within = settings.worker_batch_wait_ms / 1000

    @app.agent(outboxes, name="intake")
    async def intake_agent(stream: Any) -> None:  # a faust Stream (take_events is untyped)
        async for batch in stream.take_events(settings.worker_batch, within=within):
            await worker.handle_batch(batch)

    @app.agent(events, name="tracker")
    async def tracker_agent(stream: Any) -> None:
        async for batch in stream.take_events(_TRACKER_BATCH, within=0.05):
            await worker.track_batch(batch)

    @app.timer(settings.overdue_check_s)  # type: ignore[untyped-decorator]
    async def overdue_timer() -> None:
        await worker.check_overdue()

    @app.timer(settings.services_check_s)  # type: ignore[untyped-decorator]
    async def services_timer() -> None:
        worker.services.refresh()

    if settings.nisuz_report_s > 0 and settings.nisuz_adapter in worker.adapters:

        @app.timer(settings.nisuz_report_s, on_leader=True)  # type: ignore[untyped-decorator]
        async def nisuz_timer() -> None:
            today = worker.intake.calendar.to_local(worker.now()).date()
            await worker.report_statistics(today, today)

    if settings.lag_check_s > 0:

        @app.timer(settings.lag_check_s)  # type: ignore[untyped-decorator]
        async def lag_timer() -> None:
            await worker.monitor.refresh()

    @app.task  # type: ignore[untyped-decorator]
    async def start_producer() -> None:
        await worker.deliverer.start()
        log.info(
            "worker_started",
            outboxes=len(worker.outboxes),
            partitions=worker.partitions,
            services=len(worker.services.current),
        )

    @app.on_before_shutdown.connect  # type: ignore[arg-type]  # mode types it oddly
    async def close_clients(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        # after the consumer stopped: no batch can need the producer any more
        await worker.deliverer.stop()
        await worker.monitor.close()

    tokens = Tokens(
        observer=_secret(settings.dashboard_observer_token),
        operator=_secret(settings.dashboard_operator_token),
    )
    dashboard = WorkerDashboard(worker)
    wire_dashboard(app, dashboard, tokens)

    @app.timer(5.0)  # type: ignore[untyped-decorator]
    async def throughput_timer() -> None:
        dashboard.sample()

    def refused(web: Any, request: Any) -> Any | None:
        """With dashboard tokens set, case data wants the observer token here too."""
        if not tokens.configured:
            return None  # the web view binds to loopback by default (README)
        try:
            authorise(tokens, request.headers.get("Authorization"), Role.OBSERVER)
        except DashboardAuthError as exc:
            return web.json({"error": exc.code, "message": exc.message}, status=exc.status)
        return None

    @app.page("/track/{ident}")
    async def track_page(web: Any, request: Any, ident: str) -> Any:
        if (refusal := refused(web, request)) is not None:
            return refusal
        found = worker.find(ident)
        if found is None:
            return web.json({"error": "unknown", "id": ident}, status=404)
        return web.json(found)

    @app.page("/statistics")
    async def statistics_page(web: Any, request: Any) -> Any:
        if (refusal := refused(web, request)) is not None:
            return refusal
        today = worker.intake.calendar.to_local(worker.now()).date()
        try:
            first, last = parse_period(request.query.get("period", "today"), today)
        except ValueError as exc:
            return web.json({"error": "bad_period", "message": str(exc)}, status=400)
        report = await compute_report(settings, first, last, worker.now())
        return web.json(report_json(report))

    @app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        return web.json({"status": "ok", "totals": worker.metrics.totals()})

    _wire_probes(worker)


def _wire_crl(worker: GatewayWorker) -> None:
    """The CRL timer: reload changed CRL files, wake a held intake once they are in date."""
    crl = worker.crl
    if crl is None:
        return

    @worker.app.timer(worker.settings.crl_check_s)  # type: ignore[untyped-decorator]
    async def crl_timer() -> None:
        await crl.refresh()


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _wire_probes(worker: GatewayWorker) -> None:
    """``/metrics`` (Prometheus text), ``/healthz`` (liveness) and ``/readyz`` (readiness)."""
    app = worker.app
    broker = BrokerProbe(worker.connection)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(
            generate_latest(worker.metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    @app.page("/healthz")
    async def healthz_page(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz_page(web: Any, request: Any) -> Any:
        answer = readiness(
            broker=await broker.answers(),
            assigned=bool(app.assignor.assigned_actives()),
            stalled=worker.stalled(),
            stall_s=worker.settings.worker_stall_s,
            crl=worker.crl.state() if worker.crl is not None else None,
        )
        return web.json(answer.body, status=answer.status)
