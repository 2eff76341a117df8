"""Errors of the reference servers: every answer that is not a success.

A route raises :class:`ApiError`; the server's error middleware turns it into the body
``{"error": {"code": ..., "message": ..., "field": ...}}`` with the error's HTTP status::

    GatewayError                    (gateway.exceptions)
    └── ApiError                    an HTTP error answer: status, wire code, sentence, field path

Wire codes are the members of :class:`Code`; each server lists the ones it can answer with in
``ReferenceServer.error_codes``, and its OpenAPI document enumerates the same set.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from gateway.exceptions import GatewayError
from gateway.reasons import Reason

__all__ = ["COMMON_CODES", "ApiError", "Code"]


class Code(StrEnum):
    """Machine-readable codes of the reference servers' error answers."""

    # every server: the request as a whole
    INVALID_JSON = "invalid_json"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    MISSING_IDEMPOTENCY_KEY = "missing_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INJECTED_FAULT = "injected_fault"
    INTERNAL_ERROR = "internal_error"
    # every server: one field of the body or the query
    MISSING_FIELD = "missing_field"
    UNEXPECTED_FIELD = "unexpected_field"
    INVALID_TYPE = "invalid_type"
    INVALID_FORMAT = "invalid_format"
    INVALID_VALUE = "invalid_value"
    # E-qaror
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"
    # NIS.UZ
    REPORT_ID_MISMATCH = "report_id_mismatch"
    INVALID_PERIOD = "invalid_period"
    DUPLICATE_ROW = "duplicate_row"
    STALE_REPORT = "stale_report"
    # the state services portal
    REASONS_REQUIRED = "reasons_required"
    REASONS_NOT_ALLOWED = "reasons_not_allowed"
    APPLICATION_MISMATCH = "application_mismatch"
    DUPLICATE_STATUS = "duplicate_status"
    # the generic sink of new adapters
    DUPLICATE_MESSAGE = "duplicate_message"


COMMON_CODES = frozenset(
    {
        Code.INVALID_JSON,
        Code.UNAUTHORIZED,
        Code.NOT_FOUND,
        Code.METHOD_NOT_ALLOWED,
        Code.PAYLOAD_TOO_LARGE,
        Code.MISSING_IDEMPOTENCY_KEY,
        Code.IDEMPOTENCY_KEY_REUSED,
        Code.INJECTED_FAULT,
        Code.INTERNAL_ERROR,
        Code.MISSING_FIELD,
        Code.UNEXPECTED_FIELD,
        Code.INVALID_TYPE,
        Code.INVALID_FORMAT,
        Code.INVALID_VALUE,
    }
)
"""Codes every reference server can answer with."""


class ApiError(GatewayError):
    """An error answer of a reference server: HTTP ``status``, wire ``code``, ``field`` path.

    ``extra`` adds keys to the error object (the existing document of a duplicate, say);
    ``headers`` go on the answer (``Retry-After``, ``WWW-Authenticate``). Messages never quote
    the submitted values, so personal data in a request cannot reach an error body or a log.
    """

    reason = Reason.INVALID_CONTENT

    def __init__(
        self,
        status: int,
        code: Code,
        message: str,
        *,
        field: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.status = status
        self.code = code
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        self.retriable = status >= 500 or status == 429

    def body(self) -> dict[str, Any]:
        """The JSON answer: ``{"error": {"code", "message", "field", **extra}}``."""
        error: dict[str, Any] = {"code": str(self.code), "message": self.message}
        error["field"] = self.field
        error.update(self.extra)
        return {"error": error}
