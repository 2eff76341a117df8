"""The SQLite file of a reference server: its domain tables, idempotency records and counters.

One connection (``check_same_thread=False``, WAL journal) per server. The event loop runs every
statement, so one request's read-check-write never interleaves with another's; a transaction
makes a request's effect and its stored answer land together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from gateway.reference._validate import JsonObject

__all__ = ["COUNTERS", "Recorded", "Store"]

COUNTERS = ("requests", "applied", "replays", "faults_served")
"""The counters ``GET /_reference/stats`` reports."""

_BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class Recorded(NamedTuple):
    """The first answer given to an idempotency key, and the fingerprint of its request."""

    fingerprint: str
    status: int
    answer: JsonObject


class Store:
    """A reference server's database file; ``schema`` creates the system's own tables."""

    def __init__(self, path: Path | str, schema: str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_BASE_SCHEMA + schema)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements as one transaction: committed on success, rolled back on any error."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def execute(self, sql: str, *params: Any) -> sqlite3.Cursor:
        """Run one statement (inside the current transaction, if any)."""
        return self._conn.execute(sql, params)

    def query(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        """Rows of a read-only statement."""
        return self._conn.execute(sql, params).fetchall()

    def bump(self, name: str, by: int = 1) -> None:
        """Add ``by`` to a counter (inside the current transaction, if any)."""
        self._conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (name, by),
        )

    def counters(self) -> dict[str, int]:
        """Every counter of :data:`COUNTERS`, zero when never bumped."""
        found = {row["name"]: row["value"] for row in self.query("SELECT * FROM counters")}
        return {name: int(found.get(name, 0)) for name in COUNTERS}

    def recall(self, key: str) -> Recorded | None:
        """The answer stored for an idempotency key, if the key was seen."""
        rows = self.query("SELECT * FROM idempotency WHERE key = ?", key)
        if not rows:
            return None
        row = rows[0]
        return Recorded(row["fingerprint"], int(row["status"]), json.loads(row["answer"]))

    def remember(self, key: str, recorded: Recorded) -> None:
        """Store the first answer given to an idempotency key."""
        self._conn.execute(
            "INSERT INTO idempotency (key, fingerprint, status, answer) VALUES (?, ?, ?, ?)",
            (key, recorded.fingerprint, recorded.status, json.dumps(recorded.answer)),
        )

    def wipe(self) -> None:
        """Delete every row of every table: documents, idempotency records and counters."""
        tables = [
            row["name"]
            for row in self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        with self.transaction() as conn:
            for table in tables:
                conn.execute(f'DELETE FROM "{table}"')  # noqa: S608 -- names from sqlite_master

    def close(self) -> None:
        """Close the connection; the file keeps the state for the next server on it."""
        self._conn.close()
