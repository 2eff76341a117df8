"""The topics-as-code file (``topics.yaml``): its model and its validation.

A topic entry may be a pattern over the bodies (``exchange.outbox.{body}``) or the adapters
(``exchange.adapter.{adapter}``) the file lists; patterns expand into one topic each. Every
error names the file, the line and the entry, so an operator fixes the right place.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from gateway.identifiers import ADAPTER_NAME, STIR
from gateway.specfile import LinedDict, LinedList, SpecReader, load_spec

__all__ = ["Body", "TopicSpec", "TopicsFile", "load_topics"]

_TOPIC_KEYS = {
    "name",
    "partitions",
    "replication_factor",
    "cleanup_policy",
    "retention_ms",
    "min_insync_replicas",
    "config",
    "description",
}
_TOP_KEYS = {"version", "defaults", "bodies", "adapters", "topics"}
_DEFAULT_KEYS = {"replication_factor", "min_insync_replicas"}
_LEGAL = re.compile(r"[A-Za-z0-9._-]{1,249}\Z")
_PLACEHOLDERS = {"{body}": "bodies", "{adapter}": "adapters"}


@dataclasses.dataclass(frozen=True)
class Body:
    """A state body connected to the gateway: its 9-digit STIR and its name."""

    code: str
    name: str


@dataclasses.dataclass(frozen=True)
class TopicSpec:
    """One concrete topic as the file wants it."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]
    line: int | None
    pattern: str


@dataclasses.dataclass(frozen=True)
class TopicsFile:
    """The whole file: bodies, adapters and the expanded topics."""

    path: Path
    bodies: tuple[Body, ...]
    adapters: tuple[str, ...]
    topics: tuple[TopicSpec, ...]

    def by_name(self) -> dict[str, TopicSpec]:
        return {t.name: t for t in self.topics}


def _bodies(r: SpecReader, root: LinedDict) -> tuple[Body, ...]:
    items = r.seq(root.get("bodies", LinedList()), "bodies", root, "bodies")
    out: list[Body] = []
    for i, item in enumerate(items):
        entry = r.mapping(item, "a body", items, i)
        r.unknown(entry, {"code", "name"})
        code, name = entry.get("code"), entry.get("name")
        if not isinstance(code, str) or not STIR.match(code):
            raise r.fail(
                f"body code must be a 9-digit STIR in quotes, not {code!r}",
                entry,
                "code",
                hint='write it as a string: code: "201000001"',
            )
        if not isinstance(name, str) or not name.strip():
            raise r.fail("body name must be a non-empty string", entry, "name", entry=code)
        if any(b.code == code for b in out):
            raise r.fail(f"duplicate body code {code}", entry, "code", entry=code)
        out.append(Body(code, name))
    return tuple(out)


def _adapters(r: SpecReader, root: LinedDict) -> tuple[str, ...]:
    items = r.seq(root.get("adapters", LinedList()), "adapters", root, "adapters")
    for i, name in enumerate(items):
        if not isinstance(name, str) or not ADAPTER_NAME.match(name):
            raise r.fail(
                f"adapter name {name!r} must be lower-case letters, digits, - or _", items, i
            )
    if len(set(items)) != len(items):
        raise r.fail("adapter names must be unique", root, "adapters")
    return tuple(items)


def _configs(r: SpecReader, t: LinedDict, name: str, defaults: LinedDict) -> dict[str, str]:
    configs: dict[str, str] = {}
    if "cleanup_policy" in t:
        policy = t["cleanup_policy"]
        allowed = {"delete", "compact", "compact,delete", "delete,compact"}
        if policy not in allowed:
            raise r.fail(
                f"cleanup_policy must be one of {sorted(allowed)}, not {policy!r}",
                t,
                "cleanup_policy",
                entry=name,
            )
        configs["cleanup.policy"] = policy
    if "retention_ms" in t:
        configs["retention.ms"] = str(r.int_at_least(t, "retention_ms", -1, name))
    source = t if "min_insync_replicas" in t else defaults
    if "min_insync_replicas" in source:
        configs["min.insync.replicas"] = str(r.int_at_least(source, "min_insync_replicas", 1))
    extra = r.mapping(t.get("config", LinedDict()), "config", t, "config")
    for key, value in extra.items():
        if isinstance(value, dict | list) or value is None:
            raise r.fail(f"config {key} must be a scalar", extra, key, entry=name)
        configs[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return configs


def load_topics(path: Path) -> TopicsFile:
    """Load, validate and expand ``topics.yaml``; raises :class:`SpecError` on any problem."""
    r = SpecReader(path)
    root = load_spec(path)
    if not isinstance(root, LinedDict):
        raise r.fail("the file must be a mapping with a 'topics' list", root)
    r.unknown(root, _TOP_KEYS)
    if root.get("version", 1) != 1:
        raise r.fail("only version: 1 is known", root, "version")
    defaults = r.mapping(root.get("defaults", LinedDict()), "defaults", root, "defaults")
    r.unknown(defaults, _DEFAULT_KEYS)
    default_rf = (
        r.int_at_least(defaults, "replication_factor", 1)
        if ("replication_factor" in defaults)
        else 1
    )
    bodies = _bodies(r, root)
    adapters = _adapters(r, root)
    values = {"bodies": [b.code for b in bodies], "adapters": list(adapters)}
    if "topics" not in root:
        raise r.fail("missing the 'topics' list", root)
    entries = r.seq(root["topics"], "topics", root, "topics")
    topics: list[TopicSpec] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(entries):
        t = r.mapping(item, "a topic", entries, i)
        pattern = t.get("name")
        if not isinstance(pattern, str) or not pattern:
            raise r.fail("every topic needs a name", t)
        r.unknown(t, _TOPIC_KEYS, entry=pattern)
        if "partitions" not in t:
            raise r.fail("missing partitions", t, entry=pattern, hint="add partitions: 3")
        partitions = r.int_at_least(t, "partitions", 1, pattern)
        rf = (
            r.int_at_least(t, "replication_factor", 1, pattern)
            if ("replication_factor" in t)
            else default_rf
        )
        configs = _configs(r, t, pattern, defaults)
        if int(configs.get("min.insync.replicas", "1")) > rf:
            raise r.fail(
                f"min_insync_replicas {configs['min.insync.replicas']} exceeds the "
                f"replication factor {rf}: no write could ever succeed",
                t,
                entry=pattern,
            )
        names = [pattern]
        for placeholder, source in _PLACEHOLDERS.items():
            if placeholder in pattern:
                names = [n.replace(placeholder, v) for n in names for v in values[source]]
        for name in names:
            if not _LEGAL.match(name) or name in {".", ".."}:
                raise r.fail(
                    f"{name!r} is not a legal Kafka topic name (letters, digits, . _ -; "
                    "at most 249)",
                    t,
                    "name",
                    entry=pattern,
                )
            if name in seen:
                raise r.fail(
                    f"duplicate topic name {name!r} (first at line {seen[name]})",
                    t,
                    "name",
                    entry=pattern,
                )
            seen[name] = t.line
            topics.append(TopicSpec(name, partitions, rf, configs, t.line, pattern))
    return TopicsFile(path, bodies, adapters, tuple(topics))
