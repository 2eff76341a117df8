"""Typed, frozen settings of one adapter: where its target is, its secrets, timeouts and budget.

Read from, highest precedence first: environment variables ``GATEWAY_ADAPTER_<NAME>_<FIELD>``
(e.g. ``GATEWAY_ADAPTER_EQAROR_BASE_URL``), the ``[adapters.<name>]`` table of the TOML
configuration file (``--config`` / ``GATEWAY_CONFIG_FILE``), the defaults of the class. An
adapter that needs more settings subclasses :class:`AdapterSettings` and adds fields.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.exceptions import ConfigError

__all__ = ["AdapterSettings", "env_prefix", "load_adapter_settings"]

S = TypeVar("S", bound="AdapterSettings")


def env_prefix(name: str) -> str:
    """``GATEWAY_ADAPTER_<NAME>_``: the environment prefix of adapter ``name``'s settings."""
    return f"GATEWAY_ADAPTER_{name.upper().replace('-', '_')}_"


class AdapterSettings(BaseSettings):
    """What every adapter is configured with; subclasses add their own fields."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", validate_default=True)

    base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8081"), description="the target system's base URL"
    )
    token: SecretStr | None = Field(None, description="bearer token for the target (a secret)")
    connect_timeout_s: float = Field(5.0, gt=0, description="TCP and TLS connect timeout")
    timeout_s: float = Field(15.0, gt=0, description="time limit of one delivery attempt")
    verify_tls: bool = Field(True, description="verify the target's TLS certificate")
    ca_file: Path | None = Field(None, description="CA bundle for the target's certificate")
    max_connections: int = Field(16, ge=1, description="connection pool size")
    # retry budget
    retry_max_attempts: int = Field(12, ge=1, description="attempts before the dead-letter topic")
    retry_max_elapsed_s: float = Field(
        900.0, gt=0, description="time from the first attempt after which no retry starts"
    )
    backoff_initial_s: float = Field(0.5, gt=0, description="first backoff (full jitter)")
    backoff_max_s: float = Field(60.0, gt=0, description="longest backoff between attempts")
    retry_after_max_s: float = Field(
        300.0, gt=0, description="the longest Retry-After the runner honours"
    )
    # circuit breaker
    circuit_failures: int = Field(5, ge=1, description="failures in a row that open the circuit")
    circuit_reset_s: float = Field(
        10.0, gt=0, description="how long an open circuit waits before one probe"
    )
    # consumer
    concurrency: int = Field(
        3, ge=1, description="partitions delivered at once (order is kept within a partition)"
    )

    @model_validator(mode="after")
    def _check_backoff(self) -> AdapterSettings:
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff_max_s must not be smaller than backoff_initial_s")
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ValueError(f"ca_file {self.ca_file} is not a readable file")
        return self

    @property
    def url(self) -> str:
        """The base URL as text, without a trailing slash."""
        return str(self.base_url).rstrip("/")


def _file_section(config_file: Path | None, name: str) -> dict[str, Any]:
    if config_file is None and os.environ.get("GATEWAY_CONFIG_FILE"):
        config_file = Path(os.environ["GATEWAY_CONFIG_FILE"])
    if config_file is None or not config_file.is_file():
        return {}
    with config_file.open("rb") as fh:
        data = tomllib.load(fh)
    section = (data.get("adapters") or {}).get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{config_file}: [adapters.{name}] must be a table of settings")
    return section


def load_adapter_settings(cls: type[S], name: str, config_file: Path | None = None) -> S:
    """Adapter ``name``'s settings of class ``cls``; a bad value names where it came from."""
    prefix = env_prefix(name)
    file_values = _file_section(config_file, name)
    env_names = {f for f in cls.model_fields if f"{prefix}{f.upper()}" in os.environ}
    init = {k: v for k, v in file_values.items() if k not in env_names}
    try:
        return cls(_env_prefix=prefix, **init)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "?"
            source = (
                f"environment variable {prefix}{field.upper()}"
                if field in env_names
                else f"[adapters.{name}] in {config_file}"
                if field in file_values
                else "default"
            )
            problems.append(f"setting {field!r} from {source}: {err['msg']}")
        raise ConfigError(
            f"adapter {name!r} is misconfigured: " + "; ".join(problems),
            field=f"adapters.{name}",
            hint=f"set {prefix}<FIELD> or [adapters.{name}] in the configuration file; "
            "docs/adapters.md lists every setting",
        ) from None
