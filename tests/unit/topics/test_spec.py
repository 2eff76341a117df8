from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import SpecError
from gateway.topics import load_topics

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
version: 1
defaults:
  replication_factor: 1
bodies:
  - code: "201000001"
    name: A
  - code: "201000002"
    name: B
adapters: [portal]
topics:
  - name: exchange.outbox.{body}
    partitions: 3
    retention_ms: 1000
  - name: exchange.adapter.{adapter}
    partitions: 2
    cleanup_policy: delete
    config:
      max.message.bytes: 2097152
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(text)
    return path


def test_the_repository_file_is_valid() -> None:
    spec = load_topics(ROOT / "topics.yaml")
    names = {t.name for t in spec.topics}
    for body in spec.bodies:
        assert f"exchange.outbox.{body.code}" in names
        assert f"exchange.inbox.{body.code}" in names
    assert {"exchange.events", "exchange.rejected"} <= names


def test_patterns_expand_over_bodies_and_adapters(tmp_path: Path) -> None:
    spec = load_topics(write(tmp_path, GOOD))
    by_name = spec.by_name()
    assert set(by_name) == {
        "exchange.outbox.201000001",
        "exchange.outbox.201000002",
        "exchange.adapter.portal",
    }
    assert by_name["exchange.outbox.201000001"].configs == {"retention.ms": "1000"}
    assert by_name["exchange.adapter.portal"].configs == {
        "cleanup.policy": "delete",
        "max.message.bytes": "2097152",
    }
    assert by_name["exchange.adapter.portal"].line == 14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("    retention_ms: 1000\n", "    retention_ms: 1000\n    colour: red\n"),
            r"topics.yaml:14 \(entry 'exchange.outbox.\{body\}'\): unknown key 'colour'",
        ),
        (
            GOOD.replace("    partitions: 2\n", ""),
            r"topics.yaml:14 \(entry 'exchange.adapter.\{adapter\}'\): missing partitions",
        ),
        (
            GOOD.replace("partitions: 3", "partitions: -3"),
            r"topics.yaml:12 \(entry 'exchange.outbox.\{body\}'\): partitions must be a whole "
            r"number >= 1, not -3",
        ),
        (
            GOOD.replace("retention_ms: 1000", "retention_ms: -5"),
            r"topics.yaml:13 .*retention_ms must be a whole number >= -1, not -5",
        ),
        (
            GOOD + "  - name: exchange.outbox.201000002\n    partitions: 1\n",
            r"topics.yaml:19 .*duplicate topic name 'exchange.outbox.201000002' "
            r"\(first at line 11\)",
        ),
        (
            GOOD.replace("    retention_ms: 1000\n", "    retention_ms: 1000\n    partitions: 4\n"),
            r"topics.yaml:14: duplicate key 'partitions' \(first at line 12\)",
        ),
        (GOOD.replace('"201000002"', "201000002"), r"topics.yaml:7: body code must be a 9-digit"),
        (GOOD.replace("exchange.outbox", "exchange/outbox"), r"is not a legal Kafka topic name"),
        (GOOD.replace("topics:\n", "topics: [\n"), r"topics.yaml:\d+: not valid YAML"),
        (
            GOOD.replace(
                "  replication_factor: 1\n", "  replication_factor: 1\n  min_insync_replicas: 2\n"
            ),
            r"min_insync_replicas 2 exceeds the replication factor 1",
        ),
    ],
    ids=[
        "unknown-key",
        "missing-partitions",
        "negative-partitions",
        "negative-retention",
        "duplicate-name",
        "duplicate-key",
        "unquoted-code",
        "illegal-name",
        "bad-yaml",
        "min-isr-above-rf",
    ],
)
def test_bad_files_name_the_line_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(SpecError, match=expected):
        load_topics(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"nope\.yaml: file not found"):
        load_topics(tmp_path / "nope.yaml")
