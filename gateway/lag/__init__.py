"""Consumer lag with Burrow-style statuses: observations, the evaluator and the collector.

The model and the evaluator are pure (no I/O): feed :class:`LagEvaluator` snapshots from
anywhere. :class:`LagCollector` reads them from Kafka.
"""

from __future__ import annotations

from gateway.lag.collector import LagCollector, RefreshStats
from gateway.lag.commits import CommitTimes
from gateway.lag.groups import adapter_group, product_groups
from gateway.lag.model import (
    Clock,
    GroupStatus,
    Observation,
    PartitionKey,
    PartitionStatus,
    Snapshot,
    Status,
    report,
    utc_now,
    worst,
)
from gateway.lag.status import EvaluatorConfig, LagEvaluator, evaluate_partition

__all__ = [
    "Clock",
    "CommitTimes",
    "EvaluatorConfig",
    "GroupStatus",
    "LagCollector",
    "LagEvaluator",
    "Observation",
    "PartitionKey",
    "PartitionStatus",
    "RefreshStats",
    "Snapshot",
    "Status",
    "adapter_group",
    "evaluate_partition",
    "product_groups",
    "report",
    "utc_now",
    "worst",
]
