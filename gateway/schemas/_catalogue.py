"""Read the versioned schema folder: ``<Name>/v<N>.avsc``, each file one complete schema.

Called once at start (by :meth:`SchemaRegistry.load`) and by the compatibility check. Every
problem found here stops the start with :class:`SchemaFileError` naming the file: a gateway that
cannot read its own schemas must not take messages in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

from fastavro import parse_schema

from gateway.schemas._avro import Named, named_types
from gateway.schemas.exceptions import SchemaFileError
from gateway.schemas.fingerprint import canonical_form, schema_fingerprint

__all__ = ["NAMESPACE", "SchemaVersion", "read_catalogue"]

NAMESPACE = "uz.gov.exchange"
_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.avsc")


@dataclass(frozen=True, slots=True, eq=False)
class SchemaVersion:
    """One version of one schema, parsed once: what the registry encodes and decodes with.

    ``definition`` is the JSON as written in the file; ``parsed`` is fastavro's parsed form
    (full names); ``named`` its named types by full name. Treat all three as read-only.
    """

    name: str
    version: int
    fingerprint: bytes
    canonical_form: str
    definition: dict[str, Any]
    parsed: dict[str, Any]
    named: Named
    source: str

    @property
    def full_name(self) -> str:
        """``uz.gov.exchange.<name>``."""
        return f"{NAMESPACE}.{self.name}"


def read_catalogue(root: Traversable) -> list[SchemaVersion]:
    """Parse every ``<Name>/v<N>.avsc`` under ``root``, ordered by name then version.

    Fails with :class:`SchemaFileError` on a file that is not JSON or not a valid schema, a
    schema whose name or namespace differs from its folder, a gap in the version numbers, or
    a folder without versions.
    """
    found: list[SchemaVersion] = []
    for folder in sorted(root.iterdir(), key=lambda entry: entry.name):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        if not _NAME.fullmatch(folder.name):
            raise SchemaFileError(
                "a schema folder is named after its record, in CamelCase",
                file=str(folder),
                line=None,
                hint="rename the folder to the record's name, e.g. Request",
            )
        found.extend(_read_folder(folder))
    return found


def _read_folder(folder: Traversable) -> list[SchemaVersion]:
    files: dict[int, Traversable] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".avsc"):
            continue
        match = _VERSION_FILE.fullmatch(entry.name)
        if match is None:
            raise SchemaFileError(
                "a schema file is named v<N>.avsc with N = 1, 2, ...",
                file=str(entry),
                line=None,
                hint="rename it, e.g. v2.avsc",
            )
        files[int(match.group(1))] = entry
    if sorted(files) != list(range(1, len(files) + 1)):
        raise SchemaFileError(
            f"versions must run 1..N without gaps, found {sorted(files)}",
            file=str(folder),
            line=None,
            hint="published versions are never removed; number a new one N+1",
        )
    return [_read_file(folder.name, version, files[version]) for version in sorted(files)]


def _read_file(name: str, version: int, entry: Traversable) -> SchemaVersion:
    source = str(entry)
    try:
        definition = json.loads(entry.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaFileError(f"not valid JSON: {exc.msg}", file=source, line=exc.lineno) from exc
    if not isinstance(definition, dict) or definition.get("type") != "record":
        raise SchemaFileError("the top of a schema file must be a record", file=source, line=None)
    try:
        parsed = parse_schema(definition, {})
    except Exception as exc:  # fastavro raises many kinds; each means "bad schema"
        raise SchemaFileError(f"not a valid Avro schema: {exc}", file=source, line=None) from exc
    if not isinstance(parsed, dict):  # pragma: no cover - a record parses to a dict
        raise SchemaFileError("the schema did not parse to a record", file=source, line=None)
    expected = f"{NAMESPACE}.{name}"
    if parsed["name"] != expected:
        raise SchemaFileError(
            f"the record is {parsed['name']!r}, its folder says {expected!r}",
            file=source,
            line=None,
            hint=f'set "name": "{name}" and "namespace": "{NAMESPACE}"',
        )
    return SchemaVersion(
        name=name,
        version=version,
        fingerprint=schema_fingerprint(parsed),
        canonical_form=canonical_form(parsed),
        definition=definition,
        parsed=parsed,
        named=named_types(parsed),
        source=source,
    )
