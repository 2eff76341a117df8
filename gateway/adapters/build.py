"""Build adapter runners from the settings: the registry, each adapter's settings, its context.

Called by ``gateway adapters run`` (and the demo); every misconfiguration is found here,
before anything is consumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from pathlib import Path

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.adapters.base import AdapterContext
from gateway.adapters.registry import AdapterRegistry
from gateway.adapters.runner import AdapterRunner
from gateway.adapters.settings import load_adapter_settings
from gateway.config import Settings
from gateway.envelope import EnvelopeCodec
from gateway.exceptions import ConfigError
from gateway.kafka import adapter_identity, connection_for
from gateway.metrics import BrokerProbe, RunnerMetrics, readiness
from gateway.pipeline.outputs import Outputs
from gateway.schemas import SchemaRegistry
from gateway.services.spec import load_services
from gateway.signing import Signer
from gateway.topics import TopicsFile, load_topics

__all__ = ["build_context", "build_runners", "run_until_signalled"]

log = structlog.get_logger(__name__)


def build_context(settings: Settings, spec: TopicsFile) -> AdapterContext:
    """Names of bodies (topics.yaml) and services (services.yaml) for applicant-facing texts."""
    names: dict[str, str] = {}
    if settings.services_file.exists():
        names = {s.registry_number: s.name for s in load_services(settings.services_file)}
    return AdapterContext(
        body_names={b.code: b.name for b in spec.bodies},
        service_names=names,
        gateway_org=settings.gateway_org,
    )


def build_runners(
    settings: Settings,
    names: Sequence[str],
    *,
    instance: str | None = None,
    registry: AdapterRegistry | None = None,
    config_file: Path | None = None,
) -> list[AdapterRunner]:
    """One runner per adapter name; each must be declared in topics.yaml.

    ``instance`` (with one name) runs the adapter under another name: its topic, consumer
    group, dead letters and settings are those of ``instance``.
    """
    if instance is not None and len(names) != 1:
        raise ConfigError("an instance name goes with exactly one adapter", field="--instance")
    adapters = registry or AdapterRegistry.discover()
    spec = load_topics(settings.topics_file)
    declared = set(spec.adapters)
    unknown = [n for n in ([instance] if instance else names) if n not in declared]
    if unknown:
        raise ConfigError(
            f"adapters {unknown} are not declared in {settings.topics_file} (adapters: "
            f"{sorted(declared)}), so they have no topic",
            field="adapters",
            hint="add them to `adapters:` in topics.yaml and run `gateway topics apply`",
        )
    schemas = SchemaRegistry.load()
    outputs = Outputs(
        EnvelopeCodec(schemas),
        Signer.from_files(settings.gateway_key_path, settings.gateway_cert_path),
    )
    context = build_context(settings, spec)
    metrics = RunnerMetrics()  # one registry for the process, whatever its adapters
    runners = []
    for name in names:
        cls = adapters.get(name)
        adapter_settings = load_adapter_settings(cls.settings_class, instance or name, config_file)
        runners.append(
            AdapterRunner(
                cls(adapter_settings, context),
                connection=connection_for(settings, adapter_identity(instance or name)),
                registry=schemas,
                outputs=outputs,
                gateway_org=settings.gateway_org,
                instance=instance,
                metrics=metrics,
            )
        )
    return runners


def _health(runners: Sequence[AdapterRunner]) -> dict[str, object]:
    return {
        "status": "ok" if all(r.ready.is_set() for r in runners) else "starting",
        "adapters": {
            r.name: {
                "ready": r.ready.is_set(),
                "circuit": r.breaker.state,
                "counts": dict(r.counts),
            }
            for r in runners
        },
    }


async def _serve(runners: Sequence[AdapterRunner], host: str, port: int) -> web.AppRunner:
    """The runner's web view: ``/health`` (200 once every runner consumes, else 503, with
    each adapter's state), ``/metrics`` (Prometheus text), ``/healthz`` (200 while serving)
    and ``/readyz`` (200 when the broker answers and every runner consumes, else 503)."""
    broker = BrokerProbe(runners[0].connection if runners else None)
    # build_runners gives every runner of the process one registry: serve that one
    registry = runners[0].metrics.registry if runners else RunnerMetrics().registry

    async def health(_request: web.Request) -> web.Response:
        body = _health(runners)
        return web.json_response(body, status=200 if body["status"] == "ok" else 503)

    async def metrics(_request: web.Request) -> web.Response:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        answer = readiness(
            broker=await broker.answers(), assigned=all(r.ready.is_set() for r in runners)
        )
        return web.json_response(answer.body, status=answer.status)

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    site_runner = web.AppRunner(app, access_log=None)
    await site_runner.setup()
    await web.TCPSite(site_runner, host, port).start()
    return site_runner


async def run_until_signalled(
    runners: Sequence[AdapterRunner], *, web_host: str = "127.0.0.1", web_port: int | None = None
) -> None:
    """Run the runners until SIGTERM or SIGINT; then stop them cleanly (nothing unsettled
    is committed, so what was in flight is delivered again by the next run). With
    ``web_port``, serve the runners' web view there."""
    loop = asyncio.get_running_loop()
    site = None if web_port is None else await _serve(runners, web_host, web_port)

    def stop_all() -> None:
        for runner in runners:
            runner.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(r.run(), name=f"adapter-{r.name}") for r in runners]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                stop_all()
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        if site is not None:
            await site.cleanup()
