"""Topics as code: the declared topics, the plan against the cluster, and applying it."""

from __future__ import annotations

from gateway.topics.admin import apply_plan, describe_topics, plan_topics
from gateway.topics.plan import ActualTopic, ConfigChange, Drift, Plan, make_plan
from gateway.topics.spec import Body, TopicsFile, TopicSpec, load_topics

__all__ = [
    "ActualTopic",
    "Body",
    "ConfigChange",
    "Drift",
    "Plan",
    "TopicSpec",
    "TopicsFile",
    "apply_plan",
    "describe_topics",
    "load_topics",
    "make_plan",
    "plan_topics",
]
