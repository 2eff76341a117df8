from __future__ import annotations

from gateway.topics import ActualTopic, ConfigChange, TopicSpec, make_plan


def spec(name: str = "t", partitions: int = 3, **configs: str) -> TopicSpec:
    return TopicSpec(name, partitions, 1, dict(configs), 1, name)


def actual(name: str = "t", partitions: int = 3, **configs: str) -> ActualTopic:
    return ActualTopic(name, partitions, 1, dict(configs), dict(configs))


def test_missing_topic_is_created() -> None:
    plan = make_plan([spec()], {})
    assert [t.name for t in plan.create] == ["t"]
    assert plan.has_changes


def test_matching_topic_is_unchanged() -> None:
    plan = make_plan([spec(**{"retention.ms": "10"})], {"t": actual(**{"retention.ms": "10"})})
    assert plan.unchanged == ("t",)
    assert not plan.has_changes
    assert not plan.drift


def test_raising_retention_is_a_safe_change() -> None:
    plan = make_plan([spec(**{"retention.ms": "-1"})], {"t": actual(**{"retention.ms": "10"})})
    assert plan.change == (ConfigChange("t", "retention.ms", "10", "-1"),)


def test_lowering_retention_is_drift_not_a_change() -> None:
    plan = make_plan([spec(**{"retention.ms": "5"})], {"t": actual(**{"retention.ms": "10"})})
    assert not plan.change
    assert plan.drift[0].what == "retention.ms"
    assert "deletes data" in plan.drift[0].reason


def test_cleanup_policy_and_partitions_are_drift() -> None:
    plan = make_plan(
        [spec(partitions=6, **{"cleanup.policy": "compact"})],
        {"t": actual(partitions=3, **{"cleanup.policy": "delete"})},
    )
    assert {d.what for d in plan.drift} == {"partitions", "cleanup.policy"}
    assert not plan.has_changes
