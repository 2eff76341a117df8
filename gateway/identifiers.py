"""Identifier formats shared by the spec files and the intake checks, defined once.

Patterns use ``[0-9]`` (``\\d`` also matches other scripts' digits) and ``\\Z`` (``$`` also
matches before a trailing newline); use them with ``.match``.
"""

from __future__ import annotations

import re

__all__ = ["ADAPTER_NAME", "PINFL", "STIR", "UUID_TEXT"]

STIR = re.compile(r"[0-9]{9}\Z")
"""A taxpayer identification number (STIR/INN): an organisation's code, 9 digits."""

PINFL = re.compile(r"[0-9]{14}\Z")
"""A personal identification number (JSHSHIR/PINFL): 14 digits (its structure: checks.py)."""

ADAPTER_NAME = re.compile(r"[a-z][a-z0-9_-]{0,48}\Z")
"""An adapter's name, as in topics.yaml and services.yaml: it is part of topic names."""

UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
"""A message or case id: a UUID in its canonical 8-4-4-4-12 text (any case), nothing else."""
