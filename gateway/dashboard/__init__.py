"""The operators' web dashboard: throughput, rejections, lag, cases, a rating and tracking.

Served by the worker through :func:`wire_dashboard`; the worker supplies the data through a
:class:`DashboardSource`. The figures (:mod:`~gateway.dashboard.views`), the access rules
(:mod:`~gateway.dashboard.auth`) and the routes (:mod:`~gateway.dashboard.routes`) are pure.
"""

from __future__ import annotations

from gateway.dashboard.auth import (
    OBSERVER_TOKEN_ENV,
    OPERATOR_TOKEN_ENV,
    Role,
    Tokens,
    authorise,
)
from gateway.dashboard.exceptions import DashboardAuthError, DashboardError
from gateway.dashboard.source import DashboardSource
from gateway.dashboard.views import (
    Throughput,
    calendar_warning,
    cases_by_body,
    lag_colour,
    lag_view,
    rejection_reasons,
    timeliness_rating,
)
from gateway.dashboard.web import PATHS, wire_dashboard

__all__ = [
    "OBSERVER_TOKEN_ENV",
    "OPERATOR_TOKEN_ENV",
    "PATHS",
    "DashboardAuthError",
    "DashboardError",
    "DashboardSource",
    "Role",
    "Throughput",
    "Tokens",
    "authorise",
    "calendar_warning",
    "cases_by_body",
    "lag_colour",
    "lag_view",
    "rejection_reasons",
    "timeliness_rating",
    "wire_dashboard",
]
