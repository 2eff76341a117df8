"""Who may read the dashboard and who may act through it: bearer tokens and two roles; pure.

An observer token reads; an operator token reads and acts (DLQ replay). No token configured
means no data for anyone: the dashboard is closed until an administrator sets one. Tokens are
compared in constant time and never appear in messages, logs or reprs.
"""

from __future__ import annotations

import dataclasses
import hmac
from enum import StrEnum

from gateway.dashboard.exceptions import DashboardAuthError
from gateway.reasons import Reason

__all__ = ["OBSERVER_TOKEN_ENV", "OPERATOR_TOKEN_ENV", "Role", "Tokens", "authorise"]

OBSERVER_TOKEN_ENV = "GATEWAY_DASHBOARD_OBSERVER_TOKEN"  # noqa: S105 -- a variable's name
OPERATOR_TOKEN_ENV = "GATEWAY_DASHBOARD_OPERATOR_TOKEN"  # noqa: S105 -- a variable's name

_SCHEME = "bearer"


class Role(StrEnum):
    """What a token allows; an operator may do everything an observer may."""

    OBSERVER = "observer"
    OPERATOR = "operator"

    def allows(self, needed: Role) -> bool:
        """True when this role is enough for a request that needs ``needed``."""
        return self is Role.OPERATOR or needed is Role.OBSERVER


@dataclasses.dataclass(frozen=True, slots=True)
class Tokens:
    """The configured tokens; None (or empty) means that role has no token.

    The values are kept out of ``repr`` so that logging the object cannot leak them.
    """

    observer: str | None = dataclasses.field(default=None, repr=False)
    operator: str | None = dataclasses.field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        """True when at least one role has a token."""
        return bool(self.observer) or bool(self.operator)


def _matches(given: bytes, expected: str | None) -> bool:
    """Constant-time comparison; an unset token matches nothing."""
    if not expected:
        return False
    return hmac.compare_digest(given, expected.encode("utf-8"))


def _bearer(authorization_header: str | None) -> bytes:
    """The token of an ``Authorization: Bearer <token>`` header, or a 401 saying what is wrong."""
    if authorization_header is None or not authorization_header.strip():
        raise DashboardAuthError(
            "This request needs a token: send 'Authorization: Bearer <token>'.",
            code="missing_token",
        )
    scheme, _, token = authorization_header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != _SCHEME or not token or " " in token:
        raise DashboardAuthError(
            "The Authorization header is not of the form 'Bearer <token>'.",
            code="malformed_authorization",
        )
    return token.encode("utf-8")


def authorise(tokens: Tokens, authorization_header: str | None, needed: Role) -> Role:
    """The role the request's token grants, if it is enough for ``needed``; else raise.

    Called by every data route before it reads anything. Raises
    :class:`~gateway.dashboard.exceptions.DashboardAuthError`: 403 when no token is configured
    at all or the token's role is too weak, 401 when the header is missing, malformed or
    carries a token that matches none.
    """
    if not tokens.configured:
        error = DashboardAuthError(
            f"The dashboard has no access token configured: set {OBSERVER_TOKEN_ENV} "
            f"(read-only) and/or {OPERATOR_TOKEN_ENV} (actions) and restart the worker.",
            code="no_tokens_configured",
            status=403,
        )
        error.reason = Reason.BAD_CONFIGURATION
        raise error
    given = _bearer(authorization_header)
    # Compare with both, always, so the time taken does not tell which role a token is near.
    is_operator = _matches(given, tokens.operator)
    is_observer = _matches(given, tokens.observer)
    if is_operator:
        role = Role.OPERATOR
    elif is_observer:
        role = Role.OBSERVER
    else:
        raise DashboardAuthError("The token is not valid for this dashboard.", code="invalid_token")
    if not role.allows(needed):
        raise DashboardAuthError(
            f"This action needs the {needed.value} token; yours is the {role.value} token.",
            code="forbidden",
            status=403,
        )
    return role
