"""Schema evolution check: BACKWARD_TRANSITIVE, as Confluent Schema Registry defines it.

For every schema, its newest version (the reader) must read data written with every earlier
version (the writers). This is what lets the gateway and agencies upgrade readers first and
keep accepting messages from senders still on an old version. Run by ``gateway schemas check``
(see :func:`main_check`) and by the unit tests, so an incompatible new version never ships.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from gateway.schemas._resolution import Rule, incompatibilities
from gateway.schemas.exceptions import SchemaFileError
from gateway.schemas.registry import SchemaRegistry

__all__ = ["Problem", "Rule", "check_compatibility", "main_check"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One incompatibility: the newest version of ``schema`` cannot read what an older wrote."""

    schema: str
    writer_version: int
    reader_version: int
    path: str
    rule: Rule
    detail: str

    def __str__(self) -> str:
        where = self.path or "(the record)"
        return (
            f"{self.schema} v{self.writer_version} -> v{self.reader_version} at {where}: "
            f"{self.detail} [{self.rule}]"
        )


def check_compatibility(source: SchemaRegistry | str | os.PathLike[str]) -> list[Problem]:
    """Every reason the newest version of a schema cannot read an earlier one; empty if none.

    ``source`` is a loaded registry or a folder of ``<Name>/v<N>.avsc`` files. A folder that
    does not load raises :class:`SchemaFileError` (the files themselves are wrong).
    """
    registry = (
        source if isinstance(source, SchemaRegistry) else SchemaRegistry.from_directory(source)
    )
    problems: list[Problem] = []
    for name in registry.names():
        reader = registry.schema(name)
        for version in registry.versions(name)[:-1]:
            writer = registry.schema(name, version)
            problems += [
                Problem(
                    schema=name,
                    writer_version=writer.version,
                    reader_version=reader.version,
                    path=found.path,
                    rule=found.rule,
                    detail=found.detail,
                )
                for found in incompatibilities(
                    writer.parsed, reader.parsed, writer.named, reader.named
                )
            ]
    return problems


def main_check(directory: str | os.PathLike[str] | None = None, out: TextIO | None = None) -> int:
    """Check the shipped schemas (or ``directory``) and print the outcome; the exit status.

    0: all compatible; 1: incompatibilities, one per line; 2: the schema files do not load.
    """
    stream = out if out is not None else sys.stdout
    try:
        registry = (
            SchemaRegistry.load() if directory is None else SchemaRegistry.from_directory(directory)
        )
    except SchemaFileError as exc:
        print(f"schema files: {exc}", file=stream)
        return 2
    problems = check_compatibility(registry)
    for problem in problems:
        print(problem, file=stream)
    versions = sum(len(registry.versions(name)) for name in registry.names())
    if problems:
        print(f"{len(problems)} incompatible change(s); BACKWARD_TRANSITIVE fails", file=stream)
        return 1
    print(
        f"{len(registry.names())} schemas, {versions} versions: BACKWARD_TRANSITIVE compatible",
        file=stream,
    )
    return 0
