"""The Kafka side of ``gateway topics apply``: read the cluster, create topics, alter configs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from gateway.exceptions import BrokerError
from gateway.topics.plan import ActualTopic, ConfigChange, Plan, make_plan
from gateway.topics.spec import TopicSpec

__all__ = ["apply_plan", "describe_topics", "plan_topics"]

_DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs config_source: set on the topic itself
_TOPIC_ALREADY_EXISTS = 36


async def describe_topics(
    admin: AIOKafkaAdminClient, names: Sequence[str]
) -> dict[str, ActualTopic]:
    """The named topics that exist, with partitions, replication factor and configs."""
    existing = set(await admin.list_topics())
    present = [n for n in names if n in existing]
    if not present:
        return {}
    described = await admin.describe_topics(present)
    resources = [ConfigResource(ConfigResourceType.TOPIC, n) for n in present]
    config_responses = await admin.describe_configs(resources)
    configs: dict[str, dict[str, str]] = {}
    dynamic: dict[str, dict[str, str]] = defaultdict(dict)
    for response in config_responses:
        for error_code, error_message, _type, name, entries in response.resources:
            if error_code:
                raise BrokerError(f"describing configs of {name} failed: {error_message}")
            configs[name] = {e[0]: e[1] for e in entries if e[1] is not None}
            for entry in entries:
                if entry[3] == _DYNAMIC_TOPIC_CONFIG and entry[1] is not None:
                    dynamic[name][entry[0]] = entry[1]
    out: dict[str, ActualTopic] = {}
    for topic in described:
        name = topic["topic"]
        partitions = topic["partitions"]
        rf = max((len(p["replicas"]) for p in partitions), default=0)
        out[name] = ActualTopic(name, len(partitions), rf, configs.get(name, {}), dynamic[name])
    return out


async def plan_topics(
    admin: AIOKafkaAdminClient, wanted: Sequence[TopicSpec]
) -> tuple[Plan, dict[str, ActualTopic]]:
    """Read the cluster and compare it with ``wanted``."""
    actual = await describe_topics(admin, [t.name for t in wanted])
    return make_plan(wanted, actual), actual


async def apply_plan(
    admin: AIOKafkaAdminClient, plan: Plan, actual: dict[str, ActualTopic]
) -> None:
    """Create the missing topics and apply the safe config changes of ``plan``.

    AlterConfigs (the only config call aiokafka offers) replaces a topic's whole set of
    dynamic configs, so the set sent is what the topic has now plus the changes: configs an
    operator set by hand survive.
    """
    try:
        if plan.create:
            response = await admin.create_topics(
                [
                    NewTopic(t.name, t.partitions, t.replication_factor, topic_configs=t.configs)
                    for t in plan.create
                ]
            )
            for name, code, message in response.topic_errors:
                if code and code != _TOPIC_ALREADY_EXISTS:
                    raise BrokerError(f"creating topic {name} failed: {message} (code {code})")
        by_topic: dict[str, list[ConfigChange]] = defaultdict(list)
        for change in plan.change:
            by_topic[change.topic].append(change)
        if by_topic:
            resources = []
            for name, changes in by_topic.items():
                merged = dict(actual[name].dynamic)
                merged.update({c.key: c.new for c in changes})
                resources.append(ConfigResource(ConfigResourceType.TOPIC, name, merged))
            for response in await admin.alter_configs(resources):
                for code, message, _type, name in response.resources:
                    if code:
                        raise BrokerError(f"changing configs of {name} failed: {message}")
    except KafkaError as exc:
        raise BrokerError(f"the broker refused a topic change: {exc}") from exc
