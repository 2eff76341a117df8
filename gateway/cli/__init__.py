"""The ``gateway`` command line."""

from __future__ import annotations

from gateway.cli.main import cli, main

__all__ = ["cli", "main"]
