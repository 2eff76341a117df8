"""Typed, frozen, validated configuration of every gateway process."""

from __future__ import annotations

from gateway.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
