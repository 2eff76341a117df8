"""The schema registry: every versioned schema parsed once, and the body codec built on it.

Built once at start by :meth:`SchemaRegistry.load` and passed to whatever encodes or decodes
bodies. Encoding always uses a schema's newest version; decoding finds the writer's schema by
the fingerprint that travels in the envelope and reads with the newest version of the same
record, so messages written by older senders are read in today's shape (missing fields get
their defaults). Every failure on a message is a :class:`~gateway.exceptions.MessageError`
with a reason code, never a library exception.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError

from gateway.exceptions import DecodeError
from gateway.schemas._catalogue import SchemaVersion, read_catalogue
from gateway.schemas._compiled import Reader, TruncatedError, compile_reader
from gateway.schemas._explain import find_mismatch
from gateway.schemas._unions import Tagger, compile_tagger
from gateway.schemas.exceptions import (
    EncodeError,
    MalformedBodyError,
    SchemaFileError,
    UnknownSchemaError,
)
from gateway.schemas.fingerprint import FINGERPRINT_SIZE, SINGLE_OBJECT_MAGIC

__all__ = ["DecodedBody", "SchemaRegistry"]

_HEADER_SIZE = len(SINGLE_OBJECT_MAGIC) + FINGERPRINT_SIZE


class DecodedBody(NamedTuple):
    """A decoded body: which schema it was written with, and the record in the reader's shape.

    ``version`` is the writer's version (what the sender used); ``reader_version`` the version
    whose shape ``record`` has (the newest, unless the caller asked for another). A named tuple
    (immutable, and four times cheaper to build than a frozen dataclass on the hot path).
    """

    name: str
    version: int
    record: dict[str, Any]
    reader_version: int


@dataclass(frozen=True, slots=True)
class _Reading:
    """A cached writer/reader pair for one fingerprint and reader version."""

    writer: SchemaVersion
    reader: SchemaVersion
    reader_schema: dict[str, Any] | None  # None when reader is writer: fastavro's fast path
    compiled: Reader | None  # the generated reader when reader is writer (the hot path)


class SchemaRegistry:
    """All versions of all schemas, indexed by name and by fingerprint; encodes and decodes.

    Thread-safe after construction (only read; the reading cache tolerates racing fills).
    """

    def __init__(self, versions: Iterable[SchemaVersion]) -> None:
        """Index ``versions`` (as :func:`read_catalogue` returns them) by name and fingerprint."""
        self._by_name: dict[str, list[SchemaVersion]] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        for item in sorted(versions, key=lambda v: (v.name, v.version)):
            # A version that changes only docs, defaults, aliases or logical types has the same
            # canonical form, so the same fingerprint, as the one before: both lay out the bytes
            # identically, and the fingerprint names the oldest of them.
            self._by_fingerprint.setdefault(item.fingerprint, item)
            self._by_name.setdefault(item.name, []).append(item)
        self._taggers: dict[str, Tagger | None] = {
            name: compile_tagger(items[-1].parsed, items[-1].named)
            for name, items in self._by_name.items()
        }
        self._readings: dict[tuple[bytes, int | None], _Reading] = {}
        self._latest: dict[bytes, _Reading] = {}  # the hot path: by fingerprint, newest reader
        self._newest: dict[str, _Reading] = {}  # by name: the newest version read as itself

    @classmethod
    def load(cls) -> SchemaRegistry:
        """The registry of the schemas shipped in this package (``gateway/schemas/avro``).

        Parses every file; call it once at start and share the result.
        """
        return cls.from_root(files("gateway.schemas").joinpath("avro"))

    @classmethod
    def from_directory(cls, directory: str | os.PathLike[str]) -> SchemaRegistry:
        """A registry of the ``<Name>/v<N>.avsc`` files under ``directory`` (tools and tests)."""
        path = Path(directory)
        if not path.is_dir():
            raise SchemaFileError("not a directory", file=str(path), line=None)
        return cls.from_root(path)

    @classmethod
    def from_root(cls, root: Traversable) -> SchemaRegistry:
        """A registry of the schema folder ``root`` (a package resource or a path)."""
        return cls(read_catalogue(root))

    # -- lookups -------------------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        """The names of all schemas, sorted: ``("Cancellation", "Envelope", ...)``."""
        return tuple(sorted(self._by_name))

    def versions(self, name: str) -> tuple[int, ...]:
        """The versions of schema ``name``, oldest first."""
        return tuple(item.version for item in self._versions(name))

    def latest_version(self, name: str) -> int:
        """The newest version of schema ``name``: the one :meth:`encode` writes."""
        return self._versions(name)[-1].version

    def schema(self, name: str, version: int | None = None) -> SchemaVersion:
        """One version of a schema (the newest by default); unknown -> UnknownSchemaError."""
        items = self._versions(name)
        if version is None:
            return items[-1]
        for item in items:
            if item.version == version:
                return item
        known = ", ".join(str(item.version) for item in items)
        raise UnknownSchemaError(f"schema {name} has no version {version}; known: {known}")

    def fingerprint(self, name: str, version: int | None = None) -> bytes:
        """The 8-byte fingerprint of a schema version (the newest by default), for the envelope."""
        return self.schema(name, version).fingerprint

    def lookup(self, fingerprint: bytes) -> SchemaVersion:
        """The schema version with this fingerprint; unknown -> :class:`UnknownSchemaError`."""
        item = self._by_fingerprint.get(bytes(fingerprint))
        if item is None:
            raise UnknownSchemaError(
                f"no known schema has fingerprint {bytes(fingerprint).hex() or '(empty)'}",
                field="schema_fingerprint",
                hint="the sender uses a schema this gateway does not have; "
                "upgrade the gateway's schemas first",
            )
        return item

    def _versions(self, name: str) -> list[SchemaVersion]:
        items = self._by_name.get(name)
        if items is None:
            raise UnknownSchemaError(f"no schema named {name!r}; known: {', '.join(self.names())}")
        return items

    # -- codec ---------------------------------------------------------------------------

    def encode(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Avro binary encoding (schemaless) of ``record`` with the newest version of ``name``.

        Strict: a missing field without default, a field the schema does not have, or a value of
        the wrong type raises :class:`EncodeError` (reason ``malformed_body``) with ``field``
        set to the dotted path, e.g. ``requested[0].title``. Unknown ``name`` raises
        :class:`UnknownSchemaError`. Timestamps are aware datetimes (naive ones count as UTC).
        """
        item = self._versions(name)[-1]
        tagger = self._taggers[name]
        datum = tagger(record) if tagger is not None else record
        buffer = BytesIO()
        try:
            schemaless_writer(buffer, item.parsed, datum, strict_allow_default=True)
        except Exception as exc:  # the codec boundary: no library error leaks
            raise self._encode_error(item, record, exc) from exc
        return buffer.getvalue()

    def decode(
        self, fingerprint: bytes, data: bytes, *, reader_version: int | None = None
    ) -> DecodedBody:
        """Decode a body written with the schema whose fingerprint is ``fingerprint``.

        Reads with the newest version of the same record (or ``reader_version``), applying
        Avro's resolution rules. Raises :class:`UnknownSchemaError` for an unknown fingerprint
        or reader version, and :class:`MalformedBodyError` when the bytes end early, hold
        invalid values, or do not end where the record does (trailing bytes).
        """
        if type(fingerprint) is not bytes:  # a bytearray or memoryview: not a dict key
            fingerprint = bytes(fingerprint)
        reading = self._latest.get(fingerprint) if reader_version is None else None
        if reading is None:
            reading = self._reading(fingerprint, reader_version)
        if reading.compiled is not None:
            record = reading.compiled(data)
        else:
            record = self._decode_resolving(reading, data)
        return DecodedBody(
            reading.writer.name, reading.writer.version, record, reading.reader.version
        )

    def encode_single(self, name: str, record: Mapping[str, Any]) -> bytes:
        """Avro single-object encoding: ``C3 01``, the 8-byte fingerprint, then the body.

        Self-describing bytes for a Kafka value (e.g. the Envelope itself).
        """
        body = self.encode(name, record)
        return SINGLE_OBJECT_MAGIC + self.fingerprint(name) + body

    def decode_single(self, data: bytes, *, reader_version: int | None = None) -> DecodedBody:
        """Decode Avro single-object encoding; a wrong header raises DecodeError.

        The header's faults carry reason ``malformed_envelope``; the body's, those of
        :meth:`decode`.
        """
        if len(data) < _HEADER_SIZE or not data.startswith(SINGLE_OBJECT_MAGIC):
            raise DecodeError(
                "not an Avro single-object encoding (expected C3 01 and an 8-byte fingerprint)",
                hint="the value must start with the marker bytes C3 01",
            )
        fingerprint = data[len(SINGLE_OBJECT_MAGIC) : _HEADER_SIZE]
        return self.decode(fingerprint, data[_HEADER_SIZE:], reader_version=reader_version)

    def decode_at(self, name: str, data: bytes, start: int) -> dict[str, Any]:
        """Decode ``data[start:]``, written with the newest version of ``name``, without copying.

        The hot path's shortcut for a value whose header was already checked (the envelope
        after its single-object marker); raises what :meth:`decode` raises.
        """
        reading = self._newest.get(name)
        if reading is None:
            reading = self._newest[name] = self._reading(self.fingerprint(name), None)
        if reading.compiled is None:  # an older version with the same layout names the bytes
            return self._decode_resolving(reading, data[start:])  # type: ignore[no-any-return]
        return reading.compiled(data, start)  # type: ignore[no-any-return]

    @staticmethod
    def _decode_resolving(reading: _Reading, data: bytes) -> Any:
        buffer = BytesIO(data)
        try:
            record = schemaless_reader(buffer, reading.writer.parsed, reading.reader_schema)
        except Exception as exc:  # the codec boundary: no library error leaks
            raise MalformedBodyError(
                f"the body is not a valid {reading.writer.name} v{reading.writer.version} "
                f"encoding: {_describe(exc)}",
                hint="encode the body with the schema named by its fingerprint",
            ) from exc
        if buffer.tell() != len(data):
            raise MalformedBodyError(
                f"{len(data) - buffer.tell()} bytes follow the end of the "
                f"{reading.writer.name} v{reading.writer.version} record",
                hint="the body must be exactly one record, with nothing after it",
            )
        return record

    # -- helpers -------------------------------------------------------------------------

    def _reading(self, fingerprint: bytes, reader_version: int | None) -> _Reading:
        key = (fingerprint, reader_version)
        reading = self._readings.get(key)
        if reading is None:
            writer = self.lookup(fingerprint)
            reader = self.schema(writer.name, reader_version)
            reading = _Reading(
                writer=writer,
                reader=reader,
                reader_schema=None if reader is writer else reader.parsed,
                compiled=_compiled_or_none(writer) if reader is writer else None,
            )
            self._readings[key] = reading
            if reader_version is None:
                self._latest[fingerprint] = reading
        return reading

    @staticmethod
    def _encode_error(item: SchemaVersion, record: Any, exc: Exception) -> EncodeError:
        mismatch = find_mismatch(record, item.parsed, item.named)
        if mismatch is None:
            # fastavro's own message may quote values (personal data): name only its kind
            return EncodeError(
                f"the record does not fit {item.name} v{item.version}: {_describe(exc)}"
            )
        path, what = mismatch
        return EncodeError(
            f"the record does not fit {item.name} v{item.version}: {what}",
            field=path or None,
        )


def _compiled_or_none(writer: SchemaVersion) -> Reader | None:
    """The generated reader of ``writer``, or None (fastavro reads it) if Python cannot compile
    it, e.g. a schema nested deeper than the interpreter's block limit."""
    try:
        return compile_reader(writer.parsed, _body_error(writer))
    except (SyntaxError, RecursionError, MemoryError):
        return None


def _body_error(writer: SchemaVersion) -> Callable[[Exception], Exception]:
    """What a generated reader of ``writer`` raises for a failure: the gateway's own error."""

    def convert(exc: Exception) -> Exception:
        text = str(exc)
        if isinstance(exc, ValueError) and text.startswith("trailing: "):
            return MalformedBodyError(
                f"{text.removeprefix('trailing: ').split()[0]} bytes follow the end of "
                f"the {writer.name} v{writer.version} record",
                hint="the body must be exactly one record, with nothing after it",
            )
        what = text if isinstance(exc, TruncatedError) else _describe(exc)
        return MalformedBodyError(
            f"the body is not a valid {writer.name} v{writer.version} encoding: {what}",
            hint="encode the body with the schema named by its fingerprint",
        )

    return convert


def _describe(exc: BaseException) -> str:
    """Name a codec failure without quoting the data (it may hold personal data)."""
    if isinstance(exc, EOFError):
        return "it ends before the record does (truncated)"
    if isinstance(exc, UnicodeDecodeError):
        return "a string is not valid UTF-8"
    if isinstance(exc, IndexError):
        return "a union branch or enum symbol index is out of range"
    if isinstance(exc, OverflowError):
        return "a number, date or time is out of range"
    if isinstance(exc, SchemaResolutionError):
        return "it holds a value the reader's schema cannot take (e.g. an unknown enum symbol)"
    return f"{type(exc).__name__}"
