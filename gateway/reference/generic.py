"""Generic reference server: the message sink that adapters made by ``gateway adapters new`` target.

It stands in for an integrator's own system until they replace it: each message the adapter
delivers is stored under its message key, with its kind, identifiers, parties and (for a
status) lifecycle stage, and numbered in the order of arrival. Only those routing facts are
accepted, never the message's content. Contract: ``docs/openapi/generic.yaml``.
"""

from __future__ import annotations

import json
from typing import ClassVar

from aiohttp import web

from gateway.identifiers import STIR
from gateway.reference import _validate as v
from gateway.reference.base import Answer, ReferenceServer
from gateway.reference.exceptions import COMMON_CODES, ApiError, Code

__all__ = ["KINDS", "GenericServer"]

KINDS = ("Request", "Response", "Refusal", "Cancellation", "Status", "StatsReport")
"""The kinds of message an adapter delivers (the gateway's schema names)."""

_FIELDS = ("kind", "message_id", "case_id", "service", "sender", "recipient", "stage")
_MAX_KEY = 255


def _text(value: object, path: str, *, empty: bool) -> str:
    """A string; empty allowed when ``empty`` (otherwise the rules of :func:`v.string`)."""
    if empty and value == "":
        return ""
    return v.string(value, path)


def _party(value: object, path: str) -> str:
    """A sender or recipient: an organisation's 9-digit STIR, or empty when there is none."""
    if value == "":
        return ""
    return v.string(value, path, pattern=STIR)


def _message(body: object) -> v.JsonObject:
    """The validated body of ``PUT /api/v1/messages/{message_key}``.

    ``case_id`` may be empty only for a ``StatsReport`` (a report belongs to no case);
    ``stage`` is required for a ``Status`` and is otherwise null or a stage name.
    """
    given = v.fields(body, None, required=_FIELDS)
    kind = v.choice(given["kind"], "kind", KINDS)
    stage = given["stage"]
    if stage is None and kind == "Status":
        raise ApiError(400, Code.INVALID_VALUE, "a Status needs its stage", field="stage")
    return {
        "kind": kind,
        "message_id": v.string(given["message_id"], "message_id"),
        "case_id": _text(given["case_id"], "case_id", empty=kind == "StatsReport"),
        "service": _text(given["service"], "service", empty=True),
        "sender": _party(given["sender"], "sender"),
        "recipient": _party(given["recipient"], "recipient"),
        "stage": None if stage is None else v.string(stage, "stage", max_length=64),
    }


class GenericServer(ReferenceServer):
    """The generic sink: stores each delivered message once, numbered by arrival."""

    name: ClassVar[str] = "generic"
    schema: ClassVar[str] = """
        CREATE TABLE IF NOT EXISTS messages (
            message_key TEXT PRIMARY KEY,
            position INTEGER NOT NULL UNIQUE,
            case_id TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS messages_by_case ON messages (case_id, position);
    """
    error_codes: ClassVar[frozenset[Code]] = COMMON_CODES | {Code.DUPLICATE_MESSAGE}

    def add_routes(self) -> None:
        """``PUT|GET /api/v1/messages/{message_key}``, ``GET /api/v1/messages``."""
        self.mutation("PUT", "/api/v1/messages/{message_key}", self.put_message)
        self.query("/api/v1/messages/{message_key}", self.message)
        self.query("/api/v1/messages", self.messages)

    def put_message(self, request: web.Request, body: object) -> Answer:
        """Store a message: 201 with its 1-based position in the order of arrival.

        A key that is stored already (sent under another Idempotency-Key) is a 409
        ``duplicate_message`` carrying the stored message's ``position``.
        """
        key = request.match_info["message_key"]
        if len(key) > _MAX_KEY:
            raise ApiError(
                400,
                Code.INVALID_VALUE,
                f"the message key in the path must be at most {_MAX_KEY} characters",
                field="message_key",
            )
        message = _message(body)
        existing = self.store.query("SELECT position FROM messages WHERE message_key = ?", key)
        if existing:
            raise ApiError(
                409,
                Code.DUPLICATE_MESSAGE,
                "a message with this key is stored already",
                extra={"position": existing[0]["position"]},
            )
        position = self.store.query("SELECT COUNT(*) + 1 AS next FROM messages")[0]["next"]
        received_at = v.utc_iso(self.now())
        stored = {"message_key": key, **message, "position": position, "received_at": received_at}
        self.store.execute(
            "INSERT INTO messages (message_key, position, case_id, message) VALUES (?, ?, ?, ?)",
            key,
            position,
            message["case_id"],
            json.dumps(stored, ensure_ascii=False),
        )
        return Answer(201, {"message_key": key, "position": position, "received_at": received_at})

    def message(self, request: web.Request) -> v.JsonObject:
        """One message as stored, with ``position`` and ``received_at``; 404 if unknown."""
        v.params(request.query, ())
        rows = self.store.query(
            "SELECT message FROM messages WHERE message_key = ?", request.match_info["message_key"]
        )
        if not rows:
            raise ApiError(404, Code.NOT_FOUND, "no message has this key")
        stored: v.JsonObject = json.loads(rows[0]["message"])
        return stored

    def messages(self, request: web.Request) -> v.JsonObject:
        """Every stored message in the order of arrival, optionally only those of ``case_id``."""
        query = v.params(request.query, ("case_id",))
        if "case_id" in query:
            rows = self.store.query(
                "SELECT message FROM messages WHERE case_id = ? ORDER BY position",
                query["case_id"],
            )
        else:
            rows = self.store.query("SELECT message FROM messages ORDER BY position")
        return {"messages": [json.loads(row["message"]) for row in rows]}
