"""Compute a NIS.UZ report from the statistics changelog and hand it to the NIS.UZ adapter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from gateway.config import Settings
from gateway.kafka import WORKER, connection_for
from gateway.pipeline.outputs import Output
from gateway.schemas import SchemaRegistry
from gateway.statistics.changelog import changelog_topic, read_table
from gateway.statistics.report import build_report
from gateway.topics.names import adapter_topic
from gateway.worker.delivery import deliver_once

__all__ = ["NISUZ", "compute_report", "report_output", "send_report"]

NISUZ = "nisuz"


async def compute_report(
    settings: Settings, first: date, last: date, now: datetime | None = None
) -> dict[str, Any]:
    """The ``StatsReport`` record for ``first``..``last`` from the whole statistics table
    (the changelog of the workers ``settings.worker_id`` names)."""
    table = await read_table(connection_for(settings, WORKER), changelog_topic(settings.worker_id))
    return build_report(
        table.items(),
        first=first,
        last=last,
        generated_at=now or datetime.now(UTC),
        gateway_org=settings.gateway_org,
    )


def report_output(registry: SchemaRegistry, report: dict[str, Any], adapter: str = NISUZ) -> Output:
    """The report as a record of ``exchange.adapter.<adapter>`` (the NIS.UZ adapter's)."""
    value = registry.encode_single("StatsReport", report)
    headers = (("type", b"StatsReport"), ("report_id", str(report["report_id"]).encode()))
    return Output(adapter_topic(adapter), str(report["report_id"]).encode(), value, headers)


async def send_report(settings: Settings, registry: SchemaRegistry, report: dict[str, Any]) -> None:
    """Hand ``report`` to the NIS.UZ adapter (``settings.nisuz_adapter``) once, acked by Kafka."""
    output = report_output(registry, report, settings.nisuz_adapter)
    await deliver_once(connection_for(settings, WORKER), [output], client_id="nisuz-report")
