"""The sample alert rules (docs/alerts/gateway.rules.yml) hold together with the code and docs.

Every rule is well formed, names a series the gateway really exports (read from the worker's,
the runner's and the lag collector's registries, not from a list kept by hand), points its
runbook at a section that exists in docs/operations.md, and uses the scrape jobs that page
configures. ``promtool`` is not required: expressions are checked for balanced brackets and
quotes only, which catches the usual editing slips.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from gateway.calendar import check_calendar
from gateway.lag import GroupStatus, Observation, PartitionStatus, Status
from gateway.metrics import CalendarMetrics, CalendarState, CrlMetrics, RunnerMetrics, WorkerMetrics
from gateway.metrics.calendar import CALENDAR_SERIES
from gateway.metrics.crl import CRL_SERIES
from gateway.metrics.lag import LAG_SERIES, LagMetrics

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "docs" / "alerts" / "gateway.rules.yml"
RUNBOOK = ROOT / "docs" / "operations.md"
RUNBOOK_PATH = "docs/operations.md"

SEVERITIES = {"page", "ticket"}
RULE_KEYS = {"alert", "expr", "for", "labels", "annotations"}
SERIES_NAME = re.compile(r"\bgateway_[a-z_]+\b")
DURATION = re.compile(r"^(\d+[smhdwy])+$")
ALERT_NAME = re.compile(r"^Gateway[A-Z][A-Za-z]+$")
FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LOCAL_LINK = re.compile(r"\]\(#([^)\s]+)\)")
JOB = re.compile(r"""\bjob\s*=\s*"([^"]+)\"""")

# which sample names each metric type exposes, for a labelled family with no child yet
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}


# --- helpers (also exercised on purpose below, so the checks are known to fail) -----------


def sample_names(registry: CollectorRegistry) -> set[str]:
    """The series names a scrape of ``registry`` can show: its samples' names, or for a
    family without samples yet (a labelled metric no one has counted on) the names its type
    exposes."""
    names: set[str] = set()
    for family in registry.collect():
        found = {s.name for s in family.samples}
        names |= found or {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def unknown_series(expr: str, exported: Iterable[str]) -> set[str]:
    """The ``gateway_*`` names in ``expr`` that no registry exports."""
    return set(SERIES_NAME.findall(expr)) - set(exported)


def balanced(expr: str) -> bool:
    """Brackets nest and close, and quoted strings end (PromQL's quotes: ' " `)."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in expr:
        if quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\" and quote != "`":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return quote is None and not stack


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped (``_`` and ``-`` kept),
    spaces turned into hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading anchor of a Markdown page, outside code blocks; repeats get ``-1``, ``-2``."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match is None:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def yaml_blocks(markdown: str) -> Iterator[Any]:
    """The parsed ```yaml blocks of a Markdown page."""
    for block in re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.M | re.S):
        yield yaml.safe_load(block)


# --- fixtures ---------------------------------------------------------------------------


def _lag_metrics() -> LagMetrics:
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    seen = Observation(
        "exchange-gateway", "exchange.outbox.201000001", 0, at, 10, 25,
        oldest_unconsumed_at=at - timedelta(seconds=42),
    )  # fmt: skip
    metrics = LagMetrics(clock=at.timestamp)
    status = PartitionStatus(seen, Status.WARN, "lag grew", 3)
    metrics.update([GroupStatus("exchange-gateway", Status.WARN, (status,))], at=at.timestamp())
    return metrics


@pytest.fixture(scope="module")
def lag_names() -> set[str]:
    registry = CollectorRegistry()
    registry.register(_lag_metrics())
    return sample_names(registry)


@pytest.fixture(scope="module")
def crl_names() -> set[str]:
    registry = CollectorRegistry()
    registry.register(CrlMetrics(lambda: None))  # no CRL: families without samples
    return sample_names(registry)


@pytest.fixture(scope="module")
def calendar_names() -> set[str]:
    registry = CollectorRegistry()
    check = check_calendar(None, date(2026, 12, 1))  # two years, neither ready
    registry.register(CalendarMetrics(lambda: CalendarState(check, False, 0)))
    return sample_names(registry)


@pytest.fixture(scope="module")
def exported(lag_names: set[str], crl_names: set[str], calendar_names: set[str]) -> set[str]:
    """Every series name the worker and an adapter runner serve on /metrics."""
    overdue = {"status": "open", "due_at": 0, "holder": "201000002"}
    worker = WorkerMetrics(cases=lambda: [overdue], now_ms=lambda: 1)
    runner = RunnerMetrics()
    runner.adapter("x", lambda: False)  # the circuit gauge yields a sample per adapter
    names = sample_names(worker.registry) | sample_names(runner.registry) | lag_names
    return names | crl_names | calendar_names


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    assert set(doc) == {"groups"}
    found = []
    for group in doc["groups"]:
        assert isinstance(group.get("name"), str), group
        assert group.get("rules"), group["name"]
        found.extend(group["rules"])
    return found


@pytest.fixture(scope="module")
def runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


# --- the checks -------------------------------------------------------------------------


def test_every_rule_is_complete(rules: list[dict[str, Any]]) -> None:
    names = [r.get("alert") for r in rules]
    assert len(names) == len(set(names)), "alert names repeat"
    for rule in rules:
        name = rule.get("alert")
        assert isinstance(name, str), rule
        assert ALERT_NAME.match(name), name
        assert set(rule) == RULE_KEYS, (name, sorted(set(rule) ^ RULE_KEYS))
        assert isinstance(rule["expr"], str), name
        assert rule["expr"].strip(), name
        assert DURATION.match(str(rule["for"])), (name, rule["for"])
        assert rule["labels"].get("severity") in SEVERITIES, (name, rule["labels"])
        for key in ("summary", "description", "runbook"):
            value = rule["annotations"].get(key)
            assert isinstance(value, str), (name, key)
            assert value.strip(), (name, key)


def test_expressions_are_balanced(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        assert balanced(rule["expr"]), (rule["alert"], rule["expr"])


def test_expressions_use_only_exported_series(
    rules: list[dict[str, Any]], exported: set[str]
) -> None:
    for rule in rules:
        assert not unknown_series(rule["expr"], exported), (
            rule["alert"],
            sorted(unknown_series(rule["expr"], exported)),
        )


def test_lag_series_are_what_the_collector_yields(lag_names: set[str]) -> None:
    assert lag_names == set(LAG_SERIES)


def test_crl_series_are_what_the_collector_yields(crl_names: set[str]) -> None:
    assert crl_names == set(CRL_SERIES)


def test_calendar_series_are_what_the_collector_yields(calendar_names: set[str]) -> None:
    assert calendar_names == set(CALENDAR_SERIES)


def test_runbooks_point_at_existing_sections(rules: list[dict[str, Any]], runbook: str) -> None:
    sections = anchors(runbook)
    for rule in rules:
        path, sep, anchor = rule["annotations"]["runbook"].partition("#")
        assert (path, bool(sep)) == (RUNBOOK_PATH, True), rule["alert"]
        assert anchor in sections, (rule["alert"], anchor)


def test_the_page_links_only_to_its_own_sections(runbook: str) -> None:
    missing = set(LOCAL_LINK.findall(runbook)) - anchors(runbook)
    assert not missing, sorted(missing)


def test_the_page_lists_exactly_the_alerts_of_the_file(
    rules: list[dict[str, Any]], runbook: str
) -> None:
    section = runbook.split("\n## Alert rules\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(Gateway[A-Za-z]+)` \|", section, flags=re.M))
    assert listed == {r["alert"] for r in rules}


def test_jobs_are_those_of_the_scrape_configuration(
    rules: list[dict[str, Any]], runbook: str
) -> None:
    configured = {
        job["job_name"]
        for block in yaml_blocks(runbook)
        if isinstance(block, dict)
        for job in block.get("scrape_configs", ())
    }
    used = {job for rule in rules for job in JOB.findall(rule["expr"])}
    assert used, "no rule watches a scrape job (up == 0)"
    assert used <= configured, sorted(used - configured)


@pytest.mark.parametrize(
    "needle",
    [
        'status="STOP"',
        'status="STALL"',
        'status="REWIND"',
        'status="WARN"',
        "gateway_consumer_lag_seconds",
        "gateway_consumer_lag_age_seconds",
        "gateway_overdue_cases",
        "increase(gateway_adapter_dead_letters_total[15m])",
        "gateway_adapter_circuit_open",
        'up{job="gateway-worker"} == 0',
        "gateway_messages_rejected_total",
        "gateway_crl_next_update_seconds",
        "gateway_crl_reload_failing",
        "gateway_calendar_incomplete",
        "gateway_calendar_reload_failing",
    ],
)
def test_the_required_signals_are_watched(rules: list[dict[str, Any]], needle: str) -> None:
    assert any(needle in " ".join(r["expr"].split()) for r in rules), needle


def test_the_checks_catch_slips(exported: set[str]) -> None:
    """The helpers above do fail: a misspelt series, an unclosed bracket, a stray quote."""
    assert "gateway_adapter_dead_letters_total" in exported
    assert unknown_series("rate(gateway_adapter_dead_letter_total[5m]) > 0", exported) == {
        "gateway_adapter_dead_letter_total"
    }
    assert unknown_series('max(gateway_consumer_lag_secs{group="g"})', exported) == {
        "gateway_consumer_lag_secs"
    }
    assert not balanced("max by (group) (rate(x[5m])")
    assert not balanced('x{job="a}')
    assert not balanced("sum(x[5m)]")
    assert balanced('label_replace(x, "a", "$1", "g", "(.+)")')
    assert "status-stop" in anchors("## Status STOP\n```\n# not a heading\n```\n")
    assert "not-a-heading" not in anchors("```\n# not a heading\n```\n")
