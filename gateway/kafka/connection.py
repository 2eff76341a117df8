"""One typed connection to Kafka that builds every producer, consumer and admin client.

Every process of the product (worker, adapter runners, the agency client, the command line,
the lag collector, benchmarks and test helpers) reaches Kafka through a
:class:`KafkaConnection`: the bootstrap servers, the security protocol, the TLS material
(a CA to trust and, for mutual TLS, the client's own certificate and key) and SASL
credentials (the password a secret). The TLS context is built once per connection and shared
by every client it makes; hostname verification is always on.
"""

from __future__ import annotations

import dataclasses
import functools
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from gateway.exceptions import ConfigError

__all__ = ["KafkaConnection", "SaslCredentials", "SecurityProtocol", "TlsFiles"]

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


@dataclasses.dataclass(frozen=True, slots=True)
class TlsFiles:
    """The CA to trust and, for mutual TLS, this client's certificate chain and key (PEM)."""

    ca: Path
    cert: Path | None = None
    key: Path | None = None

    def check(self, identity: str) -> None:
        """Raise ConfigError naming the missing file and how to make it."""
        for what, path in (
            ("CA certificate", self.ca),
            ("certificate", self.cert),
            ("key", self.key),
        ):
            if path is not None and not path.is_file():
                raise ConfigError(
                    f"the Kafka TLS {what} of identity {identity!r} does not exist: {path}",
                    field=str(path),
                    hint="create the development TLS identities with `gateway pki init` "
                    "(or `gateway kafka up`), or point GATEWAY_KAFKA_SSL_CAFILE / "
                    "GATEWAY_KAFKA_SSL_CERTFILE / GATEWAY_KAFKA_SSL_KEYFILE at your files",
                )
        if (self.cert is None) != (self.key is None):
            raise ConfigError(
                f"identity {identity!r} has a TLS certificate without its key, or a key "
                "without its certificate",
                hint="set both GATEWAY_KAFKA_SSL_CERTFILE and GATEWAY_KAFKA_SSL_KEYFILE",
            )


@dataclasses.dataclass(frozen=True, slots=True)
class SaslCredentials:
    """A SASL service account (SCRAM-SHA-512 by default); the password is never printed."""

    username: str
    password: SecretStr
    mechanism: SaslMechanism = "SCRAM-SHA-512"


@dataclasses.dataclass(frozen=True)
class KafkaConnection:
    """Where Kafka is and who this process is on it; builds every client of the product.

    ``identity`` names the principal this connection acts as (a body's 9-digit code,
    ``gateway-worker``, ``adapter-<name>``, ``operator``, ``broker``); it is used in error
    messages and client ids, while the broker takes the principal from the certificate or
    the SASL user name.
    """

    bootstrap: tuple[str, ...]
    security_protocol: SecurityProtocol = "PLAINTEXT"
    tls: TlsFiles | None = None
    sasl: SaslCredentials | None = None
    identity: str = "anonymous"

    def __post_init__(self) -> None:
        if not self.bootstrap:
            raise ConfigError("no Kafka bootstrap server given", field="kafka_bootstrap")
        wants_tls = self.security_protocol in ("SSL", "SASL_SSL")
        wants_sasl = self.security_protocol.startswith("SASL_")
        if wants_tls and self.tls is None:
            raise ConfigError(
                f"security protocol {self.security_protocol} needs TLS files "
                f"(identity {self.identity!r})",
                field="kafka_ssl_cafile",
                hint="set GATEWAY_KAFKA_SSL_CAFILE (and the client certificate and key)",
            )
        if wants_sasl and self.sasl is None:
            raise ConfigError(
                f"security protocol {self.security_protocol} needs SASL credentials",
                field="kafka_sasl_username",
                hint="set GATEWAY_KAFKA_SASL_USERNAME and GATEWAY_KAFKA_SASL_PASSWORD",
            )
        if self.tls is not None and wants_tls:
            self.tls.check(self.identity)

    @property
    def secure(self) -> bool:
        """True when traffic is encrypted and the client authenticated."""
        return self.security_protocol != "PLAINTEXT"

    @property
    def bootstrap_servers(self) -> list[str]:
        return list(self.bootstrap)

    def with_identity(
        self, identity: str, tls: TlsFiles | None = None, sasl: SaslCredentials | None = None
    ) -> KafkaConnection:
        """The same broker as another principal (its own certificate or SASL account)."""
        return dataclasses.replace(
            self, identity=identity, tls=tls or self.tls, sasl=sasl if sasl else self.sasl
        )

    @functools.cached_property
    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context shared by every client of this connection (built once)."""
        if self.security_protocol not in ("SSL", "SASL_SSL") or self.tls is None:
            return None
        try:
            context = ssl.create_default_context(cafile=str(self.tls.ca))
            if self.tls.cert is not None and self.tls.key is not None:
                context.load_cert_chain(str(self.tls.cert), str(self.tls.key))
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(
                f"the TLS files of Kafka identity {self.identity!r} cannot be loaded: {exc}",
                field=str(self.tls.cert or self.tls.ca),
                hint="check that the certificate is PEM, the key is its PEM private key, "
                "and the CA file is the CA that issued the broker's certificate",
            ) from None
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def client_options(self) -> dict[str, Any]:
        """The security keyword arguments every aiokafka client takes."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.ssl_context is not None:
            options["ssl_context"] = self.ssl_context
        if self.sasl is not None and self.security_protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.sasl.mechanism
            options["sasl_plain_username"] = self.sasl.username
            options["sasl_plain_password"] = self.sasl.password.get_secret_value()
        return options

    def producer(self, **options: Any) -> AIOKafkaProducer:
        """A producer (not started); ``options`` as for :class:`aiokafka.AIOKafkaProducer`."""
        options.setdefault("client_id", self.identity)
        return AIOKafkaProducer(**self.client_options(), **options)

    def consumer(self, *topics: str, **options: Any) -> AIOKafkaConsumer:
        """A consumer (not started) of ``topics``; ``options`` as for aiokafka's."""
        options.setdefault("client_id", self.identity)
        return AIOKafkaConsumer(*topics, **self.client_options(), **options)

    def admin(self, **options: Any) -> AIOKafkaAdminClient:
        """An admin client (not started)."""
        options.setdefault("client_id", self.identity)
        return AIOKafkaAdminClient(**self.client_options(), **options)

    def faust_options(self) -> dict[str, Any]:
        """``broker`` and ``broker_credentials`` for :class:`faust.App`."""
        import faust  # noqa: PLC0415 -- only the worker needs Faust

        credentials: Any = None
        if self.security_protocol == "SSL":
            credentials = faust.SSLCredentials(self.ssl_context)
        elif self.security_protocol.startswith("SASL_") and self.sasl is not None:
            credentials = faust.SASLCredentials(
                username=self.sasl.username,
                password=self.sasl.password.get_secret_value(),
                ssl_context=self.ssl_context,
                mechanism=self.sasl.mechanism,
            )
        return {
            "broker": [f"kafka://{server}" for server in self.bootstrap],
            "broker_credentials": credentials,
        }

    def describe(self) -> str:
        """A line for logs and errors: where, how and as whom (no secrets)."""
        return f"{','.join(self.bootstrap)} over {self.security_protocol} as {self.identity}"


def parse_bootstrap(value: str | Sequence[str]) -> tuple[str, ...]:
    """``host:port[,host:port]`` (or a list of them) as a tuple of servers."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(s.strip() for s in items if s.strip())
