"""First-seen commit times and the product's consumer groups; no broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.config import load_settings
from gateway.exceptions import SpecError
from gateway.lag import CommitTimes, PartitionKey, adapter_group, product_groups

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
KEY = PartitionKey("g", "t", 0)


def test_an_offset_keeps_the_time_it_was_first_seen() -> None:
    times = CommitTimes()
    assert times.stamp(KEY, 5, T0) == T0
    assert times.stamp(KEY, 5, T0 + timedelta(seconds=30)) == T0
    moved = T0 + timedelta(seconds=40)
    assert times.stamp(KEY, 9, moved) == moved
    back = T0 + timedelta(seconds=50)
    assert times.stamp(KEY, 5, back) == back  # a rewind is a new commit too


def test_forgotten_keys_start_again() -> None:
    times = CommitTimes()
    other = PartitionKey("g", "t", 1)
    times.stamp(KEY, 5, T0)
    times.stamp(other, 5, T0)
    times.retain({other})
    later = T0 + timedelta(seconds=5)
    assert times.stamp(KEY, 5, later) == later
    assert times.stamp(other, 5, later) == T0


def test_product_groups_are_the_worker_and_each_adapter(tmp_path: Path) -> None:
    topics = tmp_path / "topics.yaml"
    topics.write_text(
        "version: 1\nadapters: [eqaror, portal]\ntopics:\n  - name: x\n    partitions: 1\n"
    )
    settings = load_settings(topics_file=topics, worker_id="gw-test")
    assert product_groups(settings) == (
        "gw-test",
        "gateway-adapter-eqaror",
        "gateway-adapter-portal",
    )
    assert adapter_group("nisuz") == "gateway-adapter-nisuz"


def test_product_groups_need_the_topics_file(tmp_path: Path) -> None:
    settings = load_settings(topics_file=tmp_path / "missing.yaml")
    with pytest.raises(SpecError):
        product_groups(settings)


def test_the_package_exports_what_it_claims() -> None:
    import gateway.lag  # noqa: PLC0415 -- the module under test, by name

    for name in gateway.lag.__all__:
        assert hasattr(gateway.lag, name), name
    assert {"LagCollector", "LagEvaluator", "EvaluatorConfig", "Snapshot", "Status"} <= set(
        gateway.lag.__all__
    )
