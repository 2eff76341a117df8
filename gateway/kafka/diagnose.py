"""Why could a client not connect? A TLS handshake and one ApiVersions request, by hand.

aiokafka reports a refused TLS handshake only as "Unable to bootstrap"; the operator needs to
know whether the certificate is missing, expired, from another CA, or the broker's own is not
trusted. :func:`diagnose` connects once with the connection's own TLS context, sends an
ApiVersions request (TLS 1.3 reports a refused client certificate only after the
handshake) and maps the alert the broker sent to a :class:`TlsFailure`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import struct
from typing import Any

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, KafkaError

from gateway.exceptions import BrokerError
from gateway.kafka.connection import KafkaConnection
from gateway.kafka.exceptions import KafkaAccessError, TlsFailure

__all__ = ["diagnose", "start_client"]

_ALERTS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": TlsFailure.CERTIFICATE_REQUIRED,
    "SSLV3_ALERT_HANDSHAKE_FAILURE": TlsFailure.CERTIFICATE_REQUIRED,
    "TLSV1_ALERT_UNKNOWN_CA": TlsFailure.UNKNOWN_CA,
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": TlsFailure.CERTIFICATE_EXPIRED,
    "SSLV3_ALERT_BAD_CERTIFICATE": TlsFailure.BAD_CERTIFICATE,
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": TlsFailure.BAD_CERTIFICATE,
    "SSLV3_ALERT_CERTIFICATE_REVOKED": TlsFailure.CERTIFICATE_REVOKED,
    "WRONG_VERSION_NUMBER": TlsFailure.NOT_TLS,
    "RECORD_LAYER_FAILURE": TlsFailure.NOT_TLS,
}


def _api_versions_request() -> bytes:
    client_id = b"gateway-diagnose"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    return struct.pack(">i", len(body)) + body


def _classify(exc: ssl.SSLError) -> TlsFailure:
    if isinstance(exc, ssl.SSLCertVerificationError):
        if exc.verify_code == 62 or "hostname" in (exc.verify_message or "").lower():
            return TlsFailure.HOSTNAME_MISMATCH
        return TlsFailure.SERVER_UNTRUSTED
    return _ALERTS.get(str(exc.reason), TlsFailure.BAD_CERTIFICATE)


async def diagnose(connection: KafkaConnection, timeout: float = 5.0) -> TlsFailure | None:
    """The first bootstrap server's verdict on this client, or None when it let it in."""
    host, _, port = connection.bootstrap[0].rpartition(":")
    context = connection.ssl_context
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                host, int(port), ssl=context, server_hostname=host if context else None
            ),
            timeout,
        )
    except ssl.SSLError as exc:
        return _classify(exc)
    except (ConnectionRefusedError, TimeoutError, OSError):
        return TlsFailure.REFUSED
    try:
        writer.write(_api_versions_request())
        await writer.drain()
        header = await asyncio.wait_for(reader.readexactly(4), timeout)
    except ssl.SSLError as exc:
        return _classify(exc)
    except (asyncio.IncompleteReadError, ConnectionError, TimeoutError, OSError):
        return TlsFailure.NOT_TLS if context is not None else TlsFailure.AUTHENTICATION
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    if len(header) != 4:
        return TlsFailure.NOT_TLS
    return await _sasl_verdict(connection, host, int(port), timeout)


async def _sasl_verdict(
    connection: KafkaConnection, host: str, port: int, timeout: float
) -> TlsFailure | None:
    """TLS let us in; for SASL, do the handshake and authentication as aiokafka does."""
    if connection.sasl is None or not connection.security_protocol.startswith("SASL_"):
        return None
    options = connection.client_options()
    options.pop("bootstrap_servers")
    try:
        conn = await asyncio.wait_for(
            create_conn(host, port, request_timeout_ms=int(timeout * 1000), **options), timeout
        )
    except (KafkaError, TimeoutError, OSError):
        return TlsFailure.AUTHENTICATION
    conn.close()
    return None


_HINTS = {
    TlsFailure.CERTIFICATE_REQUIRED: "give the client its certificate and key "
    "(GATEWAY_KAFKA_SSL_CERTFILE / GATEWAY_KAFKA_SSL_KEYFILE, or `gateway pki init`)",
    TlsFailure.UNKNOWN_CA: "use a certificate issued by the broker's TLS CA "
    "(`gateway pki init` issues them under <home>/pki/tls/clients/)",
    TlsFailure.CERTIFICATE_EXPIRED: "issue a new certificate and rotate it in (docs/security.md)",
    TlsFailure.BAD_CERTIFICATE: "check that the certificate is a client-auth certificate of "
    "the broker's TLS CA and that its key matches",
    TlsFailure.CERTIFICATE_REVOKED: "the certificate was revoked; a new identity needs a new one",
    TlsFailure.SERVER_UNTRUSTED: "point GATEWAY_KAFKA_SSL_CAFILE at the CA that issued the "
    "broker's certificate",
    TlsFailure.HOSTNAME_MISMATCH: "connect to a name or address the broker's certificate "
    "lists (127.0.0.1 or localhost for the development broker)",
    TlsFailure.NOT_TLS: "the broker runs without TLS (`gateway kafka up --insecure`?): set "
    "GATEWAY_KAFKA_SECURITY_PROTOCOL=PLAINTEXT, or restart it secure",
    TlsFailure.REFUSED: "start the broker (`gateway kafka up`) or fix GATEWAY_KAFKA_BOOTSTRAP",
    TlsFailure.AUTHENTICATION: "check the SASL user name and password, or the security "
    "protocol the listener expects",
}


async def start_client(connection: KafkaConnection, client: Any) -> None:
    """Start an aiokafka client; when the broker will not let it in, say why.

    Raises :class:`KafkaAccessError` with the :class:`TlsFailure` the handshake showed, or
    :class:`BrokerError` when the broker is simply unreachable.
    """
    try:
        await client.start()
    except KafkaConnectionError as exc:
        await _close(client)
        failure = await diagnose(connection)
        if failure is None or failure is TlsFailure.REFUSED:
            raise BrokerError(
                f"Kafka at {connection.describe()} did not answer: {exc}",
                hint=_HINTS[TlsFailure.REFUSED],
            ) from None
        raise KafkaAccessError(
            f"Kafka at {','.join(connection.bootstrap)} refused identity "
            f"{connection.identity!r}: {failure.value}",
            failure=failure,
            hint=_HINTS[failure],
        ) from None
    except BaseException:
        await _close(client)  # an authorization error at start leaves no client open
        raise


async def _close(client: Any) -> None:
    with contextlib.suppress(Exception):
        await (client.stop() if hasattr(client, "stop") else client.close())
