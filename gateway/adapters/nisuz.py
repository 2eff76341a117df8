"""The NIS.UZ adapter: e-service delivery statistics for the quality assessment (decision 002).

The worker keeps per-body, per-service statistics from the lifecycle events
(:mod:`gateway.statistics`) and puts a ``StatsReport`` on ``exchange.adapter.nisuz`` on a
schedule and on demand (``gateway nisuz report``). This adapter stores each report in NIS.UZ
with ``PUT /api/v1/reports/{report_id}`` (docs/openapi/nisuz.yaml); a newer report of the
same period replaces the older one there. Anything else on the topic is ``not_applicable``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AnyHttpUrl, Field

from gateway.adapters.base import DeliveryReceipt
from gateway.adapters.http import HttpAdapter
from gateway.adapters.message import AdapterMessage
from gateway.adapters.settings import AdapterSettings

__all__ = ["NisuzAdapter", "NisuzSettings", "report_payload"]


class NisuzSettings(AdapterSettings):
    """The NIS.UZ adapter's settings (the common ones are enough)."""

    base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8082"), description="the nisuz API's base URL"
    )


def report_payload(record: dict[str, Any]) -> dict[str, Any]:
    """The JSON NIS.UZ takes for a ``StatsReport`` record."""
    generated = record["generated_at"]
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=UTC)
    return {
        "report_id": record["report_id"],
        "period": {
            "from": record["period_from"].isoformat(),
            "to": record["period_to"].isoformat(),
        },
        "generated_at": generated.astimezone(UTC).isoformat(),
        "rows": [dict(row) for row in record["rows"]],
    }


class NisuzAdapter(HttpAdapter):
    """Stores statistics reports in NIS.UZ."""

    name: ClassVar[str] = "nisuz"
    settings_class: ClassVar[type[AdapterSettings]] = NisuzSettings

    async def deliver(self, message: AdapterMessage) -> DeliveryReceipt:
        if message.kind != "StatsReport":
            return DeliveryReceipt(outcome="not_applicable")
        payload = report_payload(dict(message.record))
        _, answer = await self.call(
            "PUT",
            f"api/v1/reports/{payload['report_id']}",
            idempotency_key=message.idempotency_key,
            body=payload,
        )
        return DeliveryReceipt(
            remote_id=str(answer.get("report_id", payload["report_id"])),
            detail={"rows": str(len(payload["rows"])), "at": datetime.now(UTC).isoformat()},
        )
