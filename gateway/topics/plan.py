"""Compare the topics the file wants with the topics the cluster has; pure, no I/O.

Safe changes are applied by ``gateway topics apply``: creating a missing topic, raising a
retention, changing a config that loses no data. Everything else is *drift*, reported with
the reason it is not applied and what an operator can do: partition counts (adding
partitions moves keys and breaks the per-case ordering), replication factors (needs a
reassignment), lowering retention or changing the cleanup policy (would delete data).
Nothing here ever deletes a topic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from gateway.topics.spec import TopicSpec

__all__ = ["ActualTopic", "ConfigChange", "Drift", "Plan", "make_plan"]


@dataclasses.dataclass(frozen=True)
class ActualTopic:
    """A topic as the cluster describes it."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]
    dynamic: dict[str, str]


@dataclasses.dataclass(frozen=True)
class ConfigChange:
    """A config of an existing topic that will be changed."""

    topic: str
    key: str
    old: str | None
    new: str


@dataclasses.dataclass(frozen=True)
class Drift:
    """A difference that is reported but not applied, with the reason and the way out."""

    topic: str
    what: str
    wanted: str
    actual: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Plan:
    """What ``apply`` will do and what it will only report."""

    create: tuple[TopicSpec, ...]
    change: tuple[ConfigChange, ...]
    drift: tuple[Drift, ...]
    unchanged: tuple[str, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.create or self.change)


def _retention(value: str | None) -> float:
    if value is None:
        return 0.0
    number = int(value)
    return float("inf") if number < 0 else float(number)


def _config_step(spec: TopicSpec, actual: ActualTopic, key: str, want: str) -> object | None:
    have = actual.configs.get(key)
    if have == want:
        return None
    if key in {"retention.ms", "retention.bytes"} and _retention(want) < _retention(have):
        return Drift(
            spec.name,
            key,
            want,
            str(have),
            "lowering retention deletes data; lower it by hand with kafka-configs if meant",
        )
    if key == "cleanup.policy":
        return Drift(
            spec.name,
            key,
            want,
            str(have),
            "changing the cleanup policy can delete records; change it by hand if meant",
        )
    return ConfigChange(spec.name, key, have, want)


def make_plan(wanted: Sequence[TopicSpec], actual: Mapping[str, ActualTopic]) -> Plan:
    """Decide, topic by topic, what to create, what to change and what to report."""
    create: list[TopicSpec] = []
    change: list[ConfigChange] = []
    drift: list[Drift] = []
    unchanged: list[str] = []
    for spec in wanted:
        have = actual.get(spec.name)
        if have is None:
            create.append(spec)
            continue
        before = len(change) + len(drift)
        if have.partitions != spec.partitions:
            drift.append(
                Drift(
                    spec.name,
                    "partitions",
                    str(spec.partitions),
                    str(have.partitions),
                    "adding partitions moves case ids to other partitions and breaks their "
                    "order; plan a migration (new topic and replay)"
                    if spec.partitions > have.partitions
                    else "Kafka cannot remove partitions; keep the count or make a new topic",
                )
            )
        if have.replication_factor != spec.replication_factor:
            drift.append(
                Drift(
                    spec.name,
                    "replication_factor",
                    str(spec.replication_factor),
                    str(have.replication_factor),
                    "changing replicas needs a partition reassignment (kafka-reassign-partitions)",
                )
            )
        for key, want in sorted(spec.configs.items()):
            step = _config_step(spec, have, key, want)
            if isinstance(step, ConfigChange):
                change.append(step)
            elif isinstance(step, Drift):
                drift.append(step)
        if len(change) + len(drift) == before:
            unchanged.append(spec.name)
    return Plan(tuple(create), tuple(change), tuple(drift), tuple(unchanged))
