"""Errors of the dashboard: refusals of a request, carrying the HTTP status as data.

::

    GatewayError
    └── DashboardError                a dashboard request that is refused
        └── DashboardAuthError        no token, a wrong token, or too weak a role (401/403)

The routes turn them into ``{"error": code, "message": sentence}`` with ``status``; the
token itself is never part of the message.
"""

from __future__ import annotations

from gateway.exceptions import GatewayError
from gateway.reasons import Reason

__all__ = ["DashboardAuthError", "DashboardError"]


class DashboardError(GatewayError):
    """A dashboard request refused: ``status`` is the HTTP status, ``code`` the JSON error code."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class DashboardAuthError(DashboardError):
    """The request may not see the data: 401 without a valid token, 403 for a weak role.

    Also 403 (``reason`` :attr:`~gateway.reasons.Reason.BAD_CONFIGURATION`) when no token is
    configured at all: then nobody may, and the message names the settings to set.
    """

    reason = Reason.NOT_AUTHORISED
    status = 401
    code = "unauthorised"
