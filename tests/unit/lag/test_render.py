"""``gateway lag``'s table and its refusals that need no broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from gateway.cli.lag import render_groups
from gateway.cli.main import cli
from gateway.lag import EvaluatorConfig, LagEvaluator, Observation, Snapshot

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_the_table_shows_each_group_its_partitions_and_why() -> None:
    ev = LagEvaluator(EvaluatorConfig(min_observations=2), clock=lambda: T0)
    for i in range(2):
        at = T0 + timedelta(seconds=i)
        ev.observe(
            Snapshot(
                at,
                ("exchange-gateway", "gateway-adapter-portal"),
                (
                    Observation("exchange-gateway", "exchange.events", 0, at, 40, 40 + i, at, None),
                    Observation(
                        "exchange-gateway",
                        "exchange.outbox.201000001",
                        1,
                        at,
                        5,
                        9 + i,
                        T0,
                        T0 - timedelta(seconds=30),
                        consuming=False,
                    ),
                ),
            )
        )
    console = Console(record=True, width=160)
    console.print(render_groups(ev.statuses(), T0))
    text = console.export_text()
    assert "group exchange-gateway  STOP  lag 6 msgs, oldest 31.0 s" in text
    assert "exchange.outbox.201000001[1] STOP no live member holds the partition" in text
    assert "group gateway-adapter-portal  UNKNOWN" in text
    assert "(no committed offsets)" in text


def test_all_and_group_exclude_each_other() -> None:
    result = CliRunner().invoke(cli, ["lag", "--all", "--group", "g"])
    assert result.exit_code == 2
    assert "give --all or --group, not both" in result.output


def test_without_a_topics_file_it_says_how_to_name_groups(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["lag"], env={"GATEWAY_TOPICS_FILE": str(tmp_path / "none.yaml")}
    )
    assert result.exit_code == 1
    assert "--group" in str(result.exception)
