"""One frozen settings object, read from ``GATEWAY_*`` environment variables and an optional file.

Precedence, highest first: explicit overrides (command-line options), environment variables,
the TOML file named by ``GATEWAY_CONFIG_FILE`` (or ``--config``), the defaults below. The
object is validated once at start; a bad value stops the process with a
:class:`~gateway.exceptions.ConfigError` that names the setting, its environment variable and
the file it came from.
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.envelope.codec import DEFAULT_V1_UNTIL
from gateway.exceptions import ConfigError
from gateway.signing.crl_watch import CrlPolicy
from gateway.signing.pki import DEFAULT_GATEWAY_ORG

__all__ = ["ENV_PREFIX", "Settings", "load_settings"]

ENV_PREFIX = "GATEWAY_"


class Settings(BaseSettings):
    """Every setting of the gateway; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="forbid", validate_default=True
    )

    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, host:port[,host:port]"
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "SSL", description="how clients reach Kafka; SSL is mutual TLS (the default)"
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="CA of the broker's TLS certificate; default <home>/pki/tls/ca/ca.crt.pem"
    )
    kafka_ssl_certfile: Path | None = Field(
        None,
        description="this client's TLS certificate chain (PEM); default: the process's "
        "identity under <home>/pki/tls/clients/",
    )
    kafka_ssl_keyfile: Path | None = Field(None, description="this client's TLS key (PEM)")
    kafka_tls_dir: Path | None = Field(
        None, description="the Kafka TLS identities (CA, clients); default <home>/pki/tls"
    )
    kafka_identity: str | None = Field(
        None,
        pattern=r"^([0-9]{9}|[a-z][a-z0-9_.-]{0,99})$",
        description="the Kafka principal to act as, instead of the process's own",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    home: Path = Field(
        Path(".gateway"), description="folder for local state: broker data, jars, PKI, tables"
    )
    topics_file: Path = Field(Path("topics.yaml"), description="the topics-as-code file")
    trust_store: tuple[Path, ...] = Field(
        (), description="CA certificate files or folders; default: <home>/pki/ca/ca.crt.pem"
    )
    crl_files: tuple[Path, ...] = Field(
        (), description="CRL files (PEM or DER); default: <home>/pki/ca/crl.pem if it exists"
    )
    crl_check_s: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="how often the CRL files are checked for changes; a revocation "
        "takes effect within this",
    )
    crl_reload_s: float = Field(
        300.0, gt=0, description="CRL files are read in full at least this often, changed or not"
    )
    crl_fail_closed: bool = Field(
        True,
        description="hold intake (readiness `crl_expired`) while the CRLs in force are past "
        "nextUpdate plus the grace",
    )
    crl_grace_s: float = Field(
        0.0, ge=0, description="how long after its nextUpdate a CRL still counts as in date"
    )
    gateway_org: str = Field(
        DEFAULT_GATEWAY_ORG,
        pattern=r"^\d{9}$",
        description="the organisation code in the gateway's certificate",
    )
    envelope_v1_until: datetime = Field(
        DEFAULT_V1_UNTIL,
        description="from this moment version-1 envelopes (only the body signed) are refused "
        "with envelope_version_retired; ISO 8601, e.g. 2027-07-01T00:00:00Z",
    )
    local_kafka_port: int = Field(9092, ge=1024, le=65535)
    local_controller_port: int = Field(9093, ge=1024, le=65535)
    local_kafka_sasl_port: int = Field(
        9094, ge=1024, le=65535, description="SASL_SSL (SCRAM-SHA-512) port of the local broker"
    )
    local_kafka_heap: str = Field("512m", pattern=r"^\d+[kmgKMG]$")
    services_file: Path = Field(
        Path("services.yaml"), description="the service registry (who may ask whom, item 21)"
    )
    calendar_file: Path = Field(
        Path("calendar.yaml"),
        description="the working calendar: decreed days off and working days over the "
        "holidays package's data",
    )
    calendar_check_s: float = Field(
        5.0, gt=0, le=3600, description="how often calendar_file is checked for changes"
    )
    gateway_key: Path | None = Field(
        None, description="the gateway's signing key (PEM); default: <home>/pki/gateway/key.pem"
    )
    gateway_cert: Path | None = Field(
        None,
        description="the gateway's certificate chain (PEM); default: <home>/pki/gateway/cert.pem",
    )
    worker_id: str = Field(
        "exchange-gateway",
        pattern=r"^[A-Za-z0-9._-]{1,100}$",
        description="Faust app id: the consumer group and the prefix of the table topics",
    )
    worker_web_host: str = Field("127.0.0.1", description="bind address of the worker's web view")
    worker_web_port: int = Field(6066, ge=1024, le=65535, description="port of the web view")
    worker_batch: int = Field(
        90, ge=1, le=10_000, description="messages per batch (over 100 fills Faust's table buffer)"
    )
    worker_batch_wait_ms: int = Field(
        5, ge=1, le=10_000, description="longest wait to fill a batch (adds to latency)"
    )
    worker_session_timeout_s: float = Field(
        10.0,
        ge=6.0,
        le=300.0,
        description="consumer session timeout: how soon a dead worker's "
        "partitions move to the others",
    )
    table_store: str = Field(
        "memory://", description="Faust table store: memory:// or rocksdb:// (rebuilt from Kafka)"
    )
    topic_replication: int = Field(1, ge=1, le=7, description="replication of table topics")
    max_clock_skew_s: int = Field(300, ge=0, description="how far sent_at may be in the future")
    max_age_h: int = Field(72, ge=1, description="how old sent_at may be at intake (hours)")
    overdue_check_s: float = Field(30.0, gt=0, description="how often open cases are checked")
    services_check_s: float = Field(5.0, gt=0, description="how often services_file is re-read")
    nisuz_report_s: float = Field(
        3600.0, ge=0, description="how often today's statistics go to NIS.UZ; 0: never"
    )
    nisuz_adapter: str = Field(
        "nisuz", pattern=r"^[a-z][a-z0-9_-]{0,48}$", description="the adapter that takes reports"
    )
    lag_check_s: float = Field(
        15.0, ge=0, description="how often the worker refreshes consumer lag; 0: never"
    )
    worker_stall_s: float = Field(
        120.0,
        gt=0,
        description="input waiting and no progress for this long: /readyz says `stalled`",
    )
    dashboard_observer_token: SecretStr | None = Field(
        None, description="bearer token of the dashboard's read-only observers"
    )
    dashboard_operator_token: SecretStr | None = Field(
        None, description="bearer token of the dashboard's operators (may replay dead letters)"
    )
    clock_offset_s: float = Field(
        0.0, description="shifts the worker's clock; for drills and tests only, never production"
    )
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("kafka_bootstrap")
    @classmethod
    def _check_bootstrap(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{server.strip()!r} is not host:port (example: 127.0.0.1:9092)")
        return value

    @field_validator("envelope_v1_until")
    @classmethod
    def _utc_unless_zoned(cls, value: datetime) -> datetime:
        """A date or a time without a zone means UTC (the transition is one instant for all)."""
        return value if value.utcoffset() is not None else value.replace(tzinfo=UTC)

    @field_validator("dashboard_observer_token", "dashboard_operator_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError(
                "a dashboard token needs at least 16 characters; make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`"
            )
        return value

    @property
    def pki_dir(self) -> Path:
        """Where ``gateway pki init`` puts the development PKI by default."""
        return self.home / "pki"

    @property
    def tls_dir(self) -> Path:
        """Where the Kafka TLS identities live (``gateway pki init`` makes them)."""
        return self.kafka_tls_dir or self.pki_dir / "tls"

    @property
    def trust_paths(self) -> tuple[Path, ...]:
        """The CA certificates to trust: the setting, or the development PKI's root."""
        return self.trust_store or (self.pki_dir / "ca" / "ca.crt.pem",)

    @property
    def crl_paths(self) -> tuple[Path, ...]:
        """The CRLs to honour: the setting, or the development PKI's CRL when present."""
        if self.crl_files:
            return self.crl_files
        default = self.pki_dir / "ca" / "crl.pem"
        return (default,) if default.exists() else ()

    @property
    def crl_policy(self) -> CrlPolicy:
        """How running processes reload the CRLs and treat one past its nextUpdate."""
        return CrlPolicy(
            check_s=self.crl_check_s,
            reload_s=self.crl_reload_s,
            fail_closed=self.crl_fail_closed,
            grace=timedelta(seconds=self.crl_grace_s),
        )

    @property
    def gateway_key_path(self) -> Path:
        return self.gateway_key or self.pki_dir / "gateway" / "key.pem"

    @property
    def gateway_cert_path(self) -> Path:
        return self.gateway_cert or self.pki_dir / "gateway" / "cert.pem"


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            f"configuration file {path} does not exist",
            field="GATEWAY_CONFIG_FILE",
            hint="create it or unset GATEWAY_CONFIG_FILE / drop --config",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"configuration file {path} is not valid TOML: {exc}",
            hint="fix the syntax at the position named",
        ) from None
    section = data.get("gateway", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [gateway] must be a table of settings")
    return section


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build and validate the settings; called once at process start.

    Raises :class:`ConfigError` naming each bad setting, the environment variable that sets it
    and the file, so the operator can fix the right place.
    """
    if config_file is None and os.environ.get(f"{ENV_PREFIX}CONFIG_FILE"):
        config_file = Path(os.environ[f"{ENV_PREFIX}CONFIG_FILE"])
    file_values = _read_file(config_file) if config_file else {}
    env_names = {
        name for name in Settings.model_fields if f"{ENV_PREFIX}{name.upper()}" in os.environ
    }
    # environment beats the file: drop file values the environment sets
    init = {k: v for k, v in file_values.items() if k not in env_names}
    init.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**init)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "?"
            source = (
                f"environment variable {ENV_PREFIX}{name.upper()}"
                if name in env_names
                else (f"{config_file}" if name in file_values else "default or option")
            )
            problems.append(f"setting {name!r} from {source}: {err['msg']}")
        raise ConfigError(
            "invalid configuration: " + "; ".join(problems),
            hint="correct the value; the README's configuration table lists every setting",
        ) from None
