"""The page and its static files, read once from the package and served from memory.

Only the names listed in :data:`ASSETS` exist; any other name (including anything with a
slash or ``..``) is simply not found, so there is no path to traverse.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from types import MappingProxyType
from typing import Final

__all__ = ["ASSETS", "HTML_HEADERS", "STATIC_HEADERS", "Asset", "Assets"]

ASSETS: Final[MappingProxyType[str, str]] = MappingProxyType(
    {
        "index.html": "text/html; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
        "favicon.svg": "image/svg+xml",
    }
)

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

#: Headers of the HTML page: no inline code may run, no framing, no referrer.
HTML_HEADERS: Final[MappingProxyType[str, str]] = MappingProxyType(
    {
        "Content-Security-Policy": _CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
)

#: Headers of the script, the style sheet and the icon.
STATIC_HEADERS: Final[MappingProxyType[str, str]] = MappingProxyType(
    {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
)


@dataclasses.dataclass(frozen=True, slots=True)
class Asset:
    """One file's bytes and its content type."""

    body: bytes
    content_type: str


class Assets:
    """The dashboard's files, loaded at wiring time (a missing one fails the start-up)."""

    def __init__(self, files: dict[str, Asset]) -> None:
        self._files = dict(files)

    @classmethod
    def load(cls) -> Assets:
        """Read every file of :data:`ASSETS` from ``gateway/dashboard/static/``.

        Raises ``FileNotFoundError`` when the package was installed without them (check
        ``[tool.setuptools.package-data]``).
        """
        folder = resources.files("gateway.dashboard") / "static"
        return cls(
            {
                name: Asset((folder / name).read_bytes(), content_type)
                for name, content_type in ASSETS.items()
            }
        )

    def get(self, name: str) -> Asset | None:
        """The file called ``name``, or None when there is no such asset."""
        return self._files.get(name)
