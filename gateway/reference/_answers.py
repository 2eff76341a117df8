"""How the reference servers answer: a route's status and body, JSON responses, JSON errors."""

from __future__ import annotations

import functools
import json
from typing import NamedTuple

from aiohttp import web

from gateway.reference._validate import JsonObject
from gateway.reference.exceptions import ApiError, Code

__all__ = ["Answer", "error_answer", "from_http_error", "json_answer"]

_dumps = functools.partial(json.dumps, ensure_ascii=False)
_HTTP_ERRORS = {
    404: (Code.NOT_FOUND, "no route of this server matches the path"),
    405: (Code.METHOD_NOT_ALLOWED, "the path does not take this method; see the Allow header"),
    413: (Code.PAYLOAD_TOO_LARGE, "the body is larger than the server accepts"),
}


class Answer(NamedTuple):
    """What a mutating route answers: HTTP status and JSON body."""

    status: int
    body: JsonObject


def json_answer(
    body: JsonObject, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response in UTF-8, non-ASCII text (Uzbek, Russian) kept readable."""
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def error_answer(error: ApiError) -> web.Response:
    """The JSON error body of ``error``, with its status and headers."""
    return json_answer(error.body(), error.status, error.headers)


def from_http_error(exc: web.HTTPException) -> ApiError | None:
    """The error for aiohttp's own 404, 405 and 413 (``Allow`` kept); ``None`` for others."""
    if exc.status not in _HTTP_ERRORS:
        return None
    allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return ApiError(exc.status, *_HTTP_ERRORS[exc.status], headers=allow)
