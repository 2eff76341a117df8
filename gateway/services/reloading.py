"""A service registry that follows its file: edits take effect without a restart.

The worker calls :meth:`ReloadingRegistry.refresh` from a timer; the hot path reads
:attr:`current`, a plain attribute (no lock, no I/O). A file that fails validation is
reported and the last good registry stays in force, so a typo never opens or closes access.
"""

from __future__ import annotations

import os
from pathlib import Path

import structlog

from gateway.exceptions import SpecError
from gateway.services.registry import ServiceRegistry
from gateway.services.spec import load_services

__all__ = ["ReloadingRegistry"]

log = structlog.get_logger(__name__)


class ReloadingRegistry:
    """Holds the registry loaded from ``path`` and reloads it when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp = self._stat()
        self.current: ServiceRegistry = load_services(path)  # a bad file stops the start
        self.last_error: SpecError | None = None

    def _stat(self) -> tuple[int, int, int]:
        st = os.stat(self.path)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def refresh(self) -> bool:
        """Reload if the file changed; returns whether a new registry is in force."""
        try:
            stamp = self._stat()
        except OSError as exc:
            log.warning("services_file_unreadable", file=str(self.path), error=str(exc))
            return False
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            registry = load_services(self.path)
        except SpecError as exc:
            self.last_error = exc
            log.warning("services_reload_failed", file=str(self.path), error=str(exc))
            return False
        self.current = registry
        self.last_error = None
        log.info("services_reloaded", file=str(self.path), services=len(registry))
        return True
