"""structlog set-up: JSON lines in production, readable output in a terminal.

Personal data never reaches the logs (regulation 003, item 24): :func:`redact_personal_data`
drops known personal-data keys and masks anything that looks like a PINFL in every value.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, WrappedLogger

__all__ = ["PERSONAL_KEYS", "configure_logging", "redact_personal_data"]

PERSONAL_KEYS = frozenset(
    {
        "applicant",
        "pinfl",
        "jshshir",
        "surname",
        "given_name",
        "patronymic",
        "full_name",
        "birth_date",
        "date_of_birth",
        "identity_document",
        "passport",
        "series_number",
        "phone",
        "email",
        "address",
        "body",
        "record",
        "attachments",
        "documents",
        "application",
    }
)
_PINFL = re.compile(r"(?<!\d)\d{14}(?!\d)")
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _PINFL.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {k: (REDACTED if k in PERSONAL_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact_personal_data(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: replace personal-data keys and 14-digit numbers by a marker."""
    out: MutableMapping[str, Any] = {}
    for key, value in event_dict.items():
        out[key] = REDACTED if key in PERSONAL_KEYS else _scrub(value)
    return dict(out)


def configure_logging(
    fmt: Literal["auto", "json", "console"] = "auto", level: str = "info"
) -> None:
    """Configure structlog once per process, before the first event is logged."""
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=True)
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_data,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
