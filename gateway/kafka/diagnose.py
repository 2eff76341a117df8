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
from datetime import UTC, datetime
from typing import Any

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, KafkaError
from cryptography import x509
from cryptography.exceptions import InvalidSignature

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


_HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH


def _api_versions_request() -> bytes:
    client_id = b"gateway-diagnose"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    return struct.pack(">i", len(body)) + body


def _classify(exc: ssl.SSLError, connection: KafkaConnection) -> TlsFailure:
    if isinstance(exc, ssl.SSLCertVerificationError):
        if exc.verify_code == _HOSTNAME_MISMATCH:
            return TlsFailure.HOSTNAME_MISMATCH
        return TlsFailure.SERVER_UNTRUSTED
    named = _ALERTS.get(str(exc.reason))
    if named in (None, TlsFailure.BAD_CERTIFICATE, TlsFailure.CERTIFICATE_REQUIRED):
        return _own_certificate_verdict(connection)  # a generic alert: look closer
    return named


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
        return _classify(exc, connection)
    except (ConnectionRefusedError, TimeoutError, OSError):
        return TlsFailure.REFUSED
    failure = await _api_versions(connection, reader, writer, timeout)
    if failure is not None:
        return failure
    return await _sasl_verdict(connection, host, int(port), timeout)


async def _api_versions(
    connection: KafkaConnection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    timeout: float,
) -> TlsFailure | None:
    """One ApiVersions round trip on the open connection; what went wrong, if anything."""
    try:
        writer.write(_api_versions_request())
        await writer.drain()
        await asyncio.wait_for(reader.readexactly(4), timeout)
    except ssl.SSLError as exc:
        return _classify(exc, connection)
    except (asyncio.IncompleteReadError, ConnectionError, TimeoutError, OSError):
        if connection.ssl_context is None:
            return TlsFailure.AUTHENTICATION  # a PLAINTEXT client hung up on: TLS expected?
        # the handshake passed our checks of the broker, then the broker hung up without an
        # alert we could read: it refused our certificate (TLS 1.3 checks it after the
        # handshake), or there was none to refuse
        return _own_certificate_verdict(connection)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return None


def _own_certificate_verdict(connection: KafkaConnection) -> TlsFailure:
    """The broker hung up on our certificate without saying why: find the likely cause in
    the certificate itself (expired, not yet valid, not issued by the CA we trust for the
    broker, which the development PKI also uses for clients), else a plain refusal."""
    tls = connection.tls
    if tls is None or tls.cert is None:
        return TlsFailure.CERTIFICATE_REQUIRED
    try:
        chain = x509.load_pem_x509_certificates(tls.cert.read_bytes())
        roots = x509.load_pem_x509_certificates(tls.ca.read_bytes())
    except (OSError, ValueError):
        return TlsFailure.BAD_CERTIFICATE
    leaf, now = chain[0], datetime.now(UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        return TlsFailure.CERTIFICATE_EXPIRED
    if not any(_issued_by(cert, root) for cert in chain for root in roots):
        return TlsFailure.UNKNOWN_CA
    return TlsFailure.BAD_CERTIFICATE


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


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
