"""Reading declarative YAML files (topics.yaml, services.yaml) with the line of every entry.

PyYAML's plain loaders forget where a value came from and silently keep the last of two
duplicate keys; operators need "topics.yaml:42: partitions must be positive". This module
composes the node tree and converts it into dicts and lists that remember their lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gateway.exceptions import SpecError

__all__ = ["LinedDict", "LinedList", "SpecReader", "line_of", "load_spec"]


class LinedDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class LinedList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


def line_of(value: Any, key: str | int | None = None) -> int | None:
    """The line of ``value`` (or of its entry ``key``) if it came from a spec file."""
    if key is not None:
        if isinstance(value, LinedDict) and isinstance(key, str):
            return value.key_lines.get(key, value.line)
        if isinstance(value, LinedList) and isinstance(key, int) and key < len(value.item_lines):
            return value.item_lines[key]
    return getattr(value, "line", None)


def _convert(node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LinedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, file)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise SpecError(f"key {key!r} must be a string", file=file, line=line)
            if key in out:
                raise SpecError(
                    f"duplicate key {key!r} (first at line {out.key_lines[key]})",
                    file=file,
                    line=line,
                    hint="remove one of the two",
                )
            out[key] = _convert(value_node, file)
            out.key_lines[key] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LinedList(_convert(item, file) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    try:
        return _SCALARS.construct_object(node)
    except (ValueError, yaml.constructor.ConstructorError) as exc:  # e.g. 2026-02-30
        raise SpecError(
            f"{node.value!r} is not a valid value: {exc}",
            file=file,
            line=node.start_mark.line + 1,
            hint="dates are YYYY-MM-DD and must exist in the calendar",
        ) from None


_SCALARS = yaml.SafeLoader("")  # constructs plain scalars (int, float, bool, null, str)


def load_spec(path: Path) -> Any:
    """Load a YAML spec file into :class:`LinedDict` / :class:`LinedList` values.

    Raises :class:`SpecError` for a missing file, a syntax error (with its line) or a
    duplicate key.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("file not found", file=file, line=None) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SpecError(
            f"not valid YAML: {exc.problem}",
            file=file,
            line=mark.line + 1 if mark else None,
        ) from None
    if node is None:
        raise SpecError("the file is empty", file=file, line=1)
    return _convert(node, file)


class SpecReader:
    """Builds file:line errors while a spec file is validated; shared by every spec loader."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)

    def fail(
        self,
        msg: str,
        where: Any,
        key: str | int | None = None,
        *,
        entry: str | None = None,
        hint: str | None = None,
    ) -> SpecError:
        return SpecError(msg, file=self.file, line=line_of(where, key), entry=entry, hint=hint)

    def mapping(self, value: Any, what: str, parent: Any, key: str | int) -> LinedDict:
        if not isinstance(value, LinedDict):
            raise self.fail(f"{what} must be a mapping", parent, key)
        return value

    def seq(self, value: Any, what: str, parent: Any, key: str) -> LinedList:
        if not isinstance(value, LinedList):
            raise self.fail(f"{what} must be a list", parent, key)
        return value

    def unknown(self, data: LinedDict, allowed: set[str], entry: str | None = None) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(
                    f"unknown key {key!r}",
                    data,
                    key,
                    entry=entry,
                    hint="allowed keys: " + ", ".join(sorted(allowed)),
                )

    def int_at_least(
        self, data: LinedDict, key: str, minimum: int, entry: str | None = None
    ) -> int:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(
                f"{key} must be a whole number >= {minimum}, not {value!r}",
                data,
                key,
                entry=entry,
            )
        return value
