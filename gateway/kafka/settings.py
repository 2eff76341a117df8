"""Building a :class:`KafkaConnection` from the gateway's settings for one identity.

Each process names who it is (``gateway-worker``, ``adapter-portal``, ``operator``, a body's
code); unless the settings name files of their own, its TLS certificate and key are taken
from the development PKI (``<home>/pki/tls/clients/<identity>/``), and for SASL its user
name is the identity and its password the PKI's ``scram/<identity>.password``.
"""

from __future__ import annotations

from pydantic import SecretStr

from gateway.config import Settings
from gateway.exceptions import ConfigError
from gateway.kafka.connection import KafkaConnection, SaslCredentials, TlsFiles, parse_bootstrap
from gateway.signing.tls import TlsLayout

__all__ = ["connection_for"]


def connection_for(settings: Settings, identity: str) -> KafkaConnection:
    """The connection of process ``identity`` (``GATEWAY_KAFKA_IDENTITY`` overrides it)."""
    who = settings.kafka_identity or identity
    protocol = settings.kafka_security_protocol
    layout = TlsLayout(settings.tls_dir)
    tls: TlsFiles | None = None
    if protocol in ("SSL", "SASL_SSL"):
        ca = settings.kafka_ssl_cafile or layout.ca_cert
        if protocol == "SSL":
            own = layout.client(who)
            cert = settings.kafka_ssl_certfile or own.cert
            key = settings.kafka_ssl_keyfile or own.key
            tls = TlsFiles(ca, cert, key)
        else:
            tls = TlsFiles(ca, settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile)
    sasl: SaslCredentials | None = None
    if protocol.startswith("SASL_"):
        username = settings.kafka_sasl_username or who
        password = settings.kafka_sasl_password
        if password is None:
            path = layout.scram_password_file(username)
            if not path.is_file():
                raise ConfigError(
                    f"no SASL password for Kafka user {username!r}",
                    field="kafka_sasl_password",
                    hint=f"set GATEWAY_KAFKA_SASL_PASSWORD, or create the development "
                    f"accounts with `gateway kafka up` ({path})",
                )
            password = SecretStr(path.read_text().strip())
        sasl = SaslCredentials(username, password, settings.kafka_sasl_mechanism)
    return KafkaConnection(
        bootstrap=parse_bootstrap(settings.kafka_bootstrap),
        security_protocol=protocol,
        tls=tls,
        sasl=sasl,
        identity=who,
    )
