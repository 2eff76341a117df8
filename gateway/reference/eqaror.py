"""Reference server of E-qaror, the system for drafting, agreeing and registering decisions.

Executive bodies and hokimiyats register their documents there (cover letters, hokim decisions
and orders, council decisions). The gateway registers the documents of a case and keeps the
registration number it gets back. Contract: ``docs/openapi/eqaror.yaml``.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import ClassVar

from aiohttp import web

from gateway.identifiers import STIR
from gateway.reference import _validate as v
from gateway.reference.base import Answer, ReferenceServer
from gateway.reference.exceptions import COMMON_CODES, ApiError, Code
from gateway.services.spec import REGISTRY_NUMBER

__all__ = ["KINDS", "EqarorServer"]

KINDS = ("cover_letter", "hokim_decision", "hokim_order", "council_decision")
"""Kinds of document E-qaror registers."""

_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_FIELDS = ("external_id", "case_id", "organisation", "kind", "title", "sha256", "size", "service")
_AGREED = "agreed by the body's legal service on registration"
_PENDING = "awaits a session of the council of people's deputies"


def _submission(body: object) -> v.JsonObject:
    """The validated body of ``POST /api/v1/documents``, in the contract's field order."""
    given = v.fields(body, None, required=_FIELDS)
    organisation = v.fields(given["organisation"], "organisation", required=("code", "name"))
    return {
        "external_id": v.string(given["external_id"], "external_id", max_length=128),
        "case_id": v.string(given["case_id"], "case_id", max_length=128),
        "organisation": {
            "code": v.string(organisation["code"], "organisation.code", pattern=STIR),
            "name": v.string(organisation["name"], "organisation.name"),
        },
        "kind": v.choice(given["kind"], "kind", KINDS),
        "title": v.string(given["title"], "title", max_length=1000),
        "sha256": v.string(given["sha256"], "sha256", pattern=_SHA256),
        "size": v.integer(given["size"], "size"),
        "service": v.string(given["service"], "service", pattern=REGISTRY_NUMBER),
    }


class EqarorServer(ReferenceServer):
    """E-qaror: registers documents (``EQ-<year>-<sequence>``) and agrees them."""

    name: ClassVar[str] = "eqaror"
    schema: ClassVar[str] = """
        CREATE TABLE IF NOT EXISTS documents (
            document_id TEXT PRIMARY KEY,
            external_id TEXT NOT NULL UNIQUE,
            year INTEGER NOT NULL,
            sequence INTEGER NOT NULL,
            record TEXT NOT NULL,
            UNIQUE (year, sequence)
        );
    """
    error_codes: ClassVar[frozenset[Code]] = COMMON_CODES | {Code.DUPLICATE_EXTERNAL_ID}

    def add_routes(self) -> None:
        """``POST /api/v1/documents``, ``GET /api/v1/documents[/{document_id}]``."""
        self.mutation("POST", "/api/v1/documents", self.register)
        self.query("/api/v1/documents", self.find)
        self.query("/api/v1/documents/{document_id}", self.document)

    def register(self, _request: web.Request, body: object) -> Answer:
        """Register a document: 201 with its number and agreement status.

        The same ``external_id`` under another Idempotency-Key is a 409
        ``duplicate_external_id`` whose error carries the document registered first.
        """
        submitted = _submission(body)
        existing = self.store.query(
            "SELECT record FROM documents WHERE external_id = ?", submitted["external_id"]
        )
        if existing:
            raise ApiError(
                409,
                Code.DUPLICATE_EXTERNAL_ID,
                "a document with this external_id is registered already",
                field="external_id",
                extra={"document": json.loads(existing[0]["record"])},
            )
        now = self.now()
        sequence = self.store.query(
            "SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM documents WHERE year = ?", now.year
        )[0]["next"]
        council = submitted["kind"] == "council_decision"
        registration = {
            "document_id": str(uuid.uuid4()),
            "registration_number": f"EQ-{now.year}-{sequence:06d}",
            "registered_at": v.utc_iso(now),
            "kind": submitted["kind"],
            "agreement": {
                "status": "pending" if council else "agreed",
                "comment": _PENDING if council else _AGREED,
            },
        }
        self.store.execute(
            "INSERT INTO documents (document_id, external_id, year, sequence, record) "
            "VALUES (?, ?, ?, ?, ?)",
            registration["document_id"],
            submitted["external_id"],
            now.year,
            sequence,
            json.dumps({**registration, **submitted}, ensure_ascii=False),
        )
        return Answer(201, registration)

    def document(self, request: web.Request) -> v.JsonObject:
        """One document by its id: the registration and what was submitted; 404 if unknown."""
        v.params(request.query, ())
        rows = self.store.query(
            "SELECT record FROM documents WHERE document_id = ?", request.match_info["document_id"]
        )
        if not rows:
            raise ApiError(404, Code.NOT_FOUND, "no document has this id")
        record: v.JsonObject = json.loads(rows[0]["record"])
        return record

    def find(self, request: web.Request) -> v.JsonObject:
        """Documents in registration order, filtered by ``external_id`` or ``case_id``."""
        query = v.params(request.query, ("external_id", "case_id"))
        rows = self.store.query("SELECT record FROM documents ORDER BY year, sequence")
        documents = [json.loads(row["record"]) for row in rows]
        return {
            "documents": [
                document
                for document in documents
                if all(document[key] == value for key, value in query.items())
            ]
        }
