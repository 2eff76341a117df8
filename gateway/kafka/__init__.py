"""The one Kafka connection layer: every producer, consumer and admin client is built here.

:class:`KafkaConnection` holds where Kafka is and who the process is on it (mutual TLS by
default, SCRAM-SHA-512 for service accounts as an alternative); :func:`connection_for`
builds one from the settings for a process identity; :func:`start_client` starts a client
and, when the broker refuses it, says why (:class:`KafkaAccessError` with a
:class:`TlsFailure`).
"""

from __future__ import annotations

from gateway.kafka.connection import (
    KafkaConnection,
    SaslCredentials,
    SecurityProtocol,
    TlsFiles,
    parse_bootstrap,
)
from gateway.kafka.diagnose import diagnose, start_client
from gateway.kafka.exceptions import KafkaAccessError, TlsFailure
from gateway.kafka.identities import BROKER, OPERATOR, WORKER, adapter_identity
from gateway.kafka.settings import connection_for

__all__ = [
    "BROKER",
    "OPERATOR",
    "WORKER",
    "KafkaAccessError",
    "KafkaConnection",
    "SaslCredentials",
    "SecurityProtocol",
    "TlsFailure",
    "TlsFiles",
    "adapter_identity",
    "connection_for",
    "diagnose",
    "parse_bootstrap",
    "start_client",
]
