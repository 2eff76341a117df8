"""Avro schema resolution as a check: can a reader schema read everything a writer schema writes?

The rules are those of the Avro specification ("Schema Resolution"), as Confluent Schema
Registry applies them, with one addition: a change of logical type is reported, since the
bytes would resolve but mean something else (a date read as a plain int).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gateway.schemas._avro import Named, deref, kind_of, label, logical_type, short_name

__all__ = ["Incompatibility", "Rule", "incompatibilities"]

_PROMOTIONS = frozenset(
    {
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    }
)


_CONTAINERS = {"array": ("items", "[]"), "map": ("values", "{}")}


class Rule(StrEnum):
    """Which resolution rule a change breaks."""

    MISSING_DEFAULT = "missing_default"
    """A field the reader has and the writer lacks needs a default."""
    TYPE_MISMATCH = "type_mismatch"
    """The types differ and no promotion (int->long->float->double, string<->bytes) applies."""
    ENUM_SYMBOL = "enum_symbol"
    """The writer has a symbol the reader lacks, and the reader's enum has no default."""
    FIXED_SIZE = "fixed_size"
    """A fixed type's size changed."""
    NAME_MISMATCH = "name_mismatch"
    """A record, enum or fixed was renamed without the old name among the reader's aliases."""
    UNION_BRANCH = "union_branch"
    """The writer's type (or one of its union branches) matches no branch of the reader."""
    LOGICAL_TYPE = "logical_type"
    """The logical type changed (e.g. timestamp-millis to timestamp-micros)."""


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """One place where the reader cannot read what the writer writes."""

    path: str
    rule: Rule
    detail: str


def incompatibilities(
    writer: Any, reader: Any, writer_named: Named, reader_named: Named
) -> list[Incompatibility]:
    """Every incompatibility of ``reader`` reading data written with ``writer`` (parsed)."""
    return _Checker(writer_named, reader_named).check(writer, reader, "")


class _Checker:
    def __init__(self, writer_named: Named, reader_named: Named) -> None:
        self._wn = writer_named
        self._rn = reader_named
        self._active: set[tuple[str, str]] = set()  # named pairs being checked: recursion guard

    def check(self, writer: Any, reader: Any, path: str) -> list[Incompatibility]:
        w = deref(writer, self._wn)
        r = deref(reader, self._rn)
        wk, rk = kind_of(w), kind_of(r)
        if wk == "union":
            return self._from_union(w, r, path)
        if rk == "union":
            return self._into_union(w, r, path)
        if wk == rk:
            return self._same_kind(w, r, path)
        if (wk, rk) in _PROMOTIONS:
            return self._logical(w, r, path)
        return [_problem(path, Rule.TYPE_MISMATCH, f"{label(w)} cannot be read as {label(r)}")]

    def _same_kind(self, w: Any, r: Any, path: str) -> list[Incompatibility]:
        kind = kind_of(w)
        if kind in ("record", "enum", "fixed"):
            return self._named(w, r, path)
        if kind in _CONTAINERS:
            key, suffix = _CONTAINERS[kind]
            return self.check(w[key], r[key], path + suffix)
        return self._logical(w, r, path)

    def _from_union(self, branches: list[Any], r: Any, path: str) -> list[Incompatibility]:
        # any branch may have been written: each must be readable
        found: list[Incompatibility] = []
        for branch in branches:
            resolved = deref(branch, self._wn)
            found += self.check(resolved, r, f"{path}<{label(resolved)}>")
        return found

    def _into_union(self, w: Any, branches: list[Any], path: str) -> list[Incompatibility]:
        resolved = [deref(branch, self._rn) for branch in branches]
        # as fastavro and Java resolve: the first branch of the same type, else the first
        # branch the writer's type promotes to
        for branch in resolved:
            if _same_type(w, branch):
                return self.check(w, branch, path)
        for branch in resolved:
            if (kind_of(w), kind_of(branch)) in _PROMOTIONS:
                return self.check(w, branch, path)
        return [
            _problem(
                path,
                Rule.UNION_BRANCH,
                f"{label(w)} matches no branch of the reader's union "
                f"({', '.join(label(b) for b in resolved)})",
            )
        ]

    def _named(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[Incompatibility]:
        if not _names_match(w, r):
            return [
                _problem(
                    path,
                    Rule.NAME_MISMATCH,
                    f"{label(w)} is named {label(r)} in the reader, without an alias",
                )
            ]
        found = self._logical(w, r, path)
        kind = kind_of(w)
        if kind == "fixed":
            if w["size"] != r["size"]:
                found.append(
                    _problem(
                        path,
                        Rule.FIXED_SIZE,
                        f"{label(w)} has {w['size']} bytes, the reader expects {r['size']}",
                    )
                )
            return found
        if kind == "enum":
            missing = [s for s in w["symbols"] if s not in r["symbols"]]
            if missing and "default" not in r:
                found.append(
                    _problem(
                        path,
                        Rule.ENUM_SYMBOL,
                        f"{label(r)} lacks {', '.join(missing)} and has no default symbol",
                    )
                )
            return found
        pair = (w["name"], r["name"])
        if pair in self._active:
            return found
        self._active.add(pair)
        try:
            return found + self._fields(w, r, path)
        finally:
            self._active.discard(pair)

    def _fields(self, w: dict[str, Any], r: dict[str, Any], path: str) -> list[Incompatibility]:
        written = {field["name"]: field for field in w["fields"]}
        found: list[Incompatibility] = []
        for field in r["fields"]:
            where = f"{path}.{field['name']}" if path else field["name"]
            names = [field["name"], *field.get("aliases", [])]
            source = next((written[n] for n in names if n in written), None)
            if source is not None:
                found += self.check(source["type"], field["type"], where)
            elif "default" not in field:
                found.append(
                    _problem(
                        where,
                        Rule.MISSING_DEFAULT,
                        f"{label(r)}.{field['name']} is new to the reader and has no default",
                    )
                )
        return found

    @staticmethod
    def _logical(w: Any, r: Any, path: str) -> list[Incompatibility]:
        wl, rl = logical_type(w), logical_type(r)
        if wl == rl:
            return []
        return [
            _problem(
                path,
                Rule.LOGICAL_TYPE,
                f"written as {wl or 'plain ' + kind_of(w)}, read as {rl or 'plain ' + kind_of(r)}",
            )
        ]


def _same_type(w: Any, r: Any) -> bool:
    wk, rk = kind_of(w), kind_of(r)
    if wk != rk:
        return False
    if wk in ("record", "enum", "fixed"):
        return _names_match(w, r)
    return True


def _names_match(w: dict[str, Any], r: dict[str, Any]) -> bool:
    written = w["name"]
    aliases = r.get("aliases", [])
    return (
        short_name(written) == short_name(r["name"])
        or written in aliases
        or short_name(written) in aliases
    )


def _problem(path: str, rule: Rule, detail: str) -> Incompatibility:
    return Incompatibility(path=path, rule=rule, detail=detail)
