"""The gateway's one error tree.

Every error the gateway raises on purpose derives from :class:`GatewayError` and carries a
machine-readable :class:`~gateway.reasons.Reason` code, a sentence for people, and data that
decides what happens next (``retriable``), never the message text::

    GatewayError
    ├── ConfigError                 bad settings or a bad file (topics.yaml, services.yaml)
    │   ├── SpecError               a declarative file with an error at a known line
    │   └── CrlExpiredError         the CRLs in force are past nextUpdate: verification stops
    ├── BrokerError                 the local Kafka broker could not be fetched, started or reached
    ├── MessageError                a message that must be rejected (never retried)
    │   ├── DecodeError             bytes that are not an envelope or body of a known schema
    │   ├── SignatureError          signature, certificate, chain or revocation failure
    │   ├── ValidationError         a field the regulation makes mandatory is missing or wrong
    │   └── DeliverySealError       an inbox record without the gateway's valid delivery seal
    └── DeliveryError               an adapter could not deliver; ``retriable`` decides the path
        └── BackpressureError       the target asked us to wait ``retry_after`` seconds

Sub-packages keep their own classes in their ``exceptions.py`` and derive from these.
"""

from __future__ import annotations

from gateway.reasons import Reason

__all__ = [
    "BackpressureError",
    "BrokerError",
    "ConfigError",
    "CrlExpiredError",
    "DecodeError",
    "DeliveryError",
    "DeliverySealError",
    "GatewayError",
    "MessageError",
    "SignatureError",
    "SpecError",
    "ValidationError",
]


class GatewayError(Exception):
    """Root of every error the gateway raises on purpose.

    ``reason`` is the machine-readable code; ``field`` is the path of the offending field or
    setting when there is one; ``hint`` says how to fix it.
    """

    reason: Reason = Reason.INTERNAL
    retriable: bool = False

    def __init__(
        self,
        message: str,
        *,
        reason: Reason | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append(f"(at {self.field})")
        if self.hint:
            parts.append(f"Fix: {self.hint}")
        return " ".join(parts)


class ConfigError(GatewayError):
    """A setting or configuration file is wrong; the process must not start."""

    reason = Reason.BAD_CONFIGURATION


class SpecError(ConfigError):
    """An entry of a declarative file (topics.yaml, services.yaml) is wrong, at a known line."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None,
        entry: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{file}:{line}" if line is not None else file
        if entry:
            where = f"{where} (entry {entry!r})"
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.line = line
        self.entry = entry


class CrlExpiredError(ConfigError):
    """The CRLs in force are past their nextUpdate (and the grace): fail closed.

    Nothing signed may be accepted until a fresh CRL is loaded, because a certificate revoked
    since the last CRL would pass. Retriable: the same input succeeds once the CA's new CRL
    is in place (:mod:`gateway.signing.crl_watch`).
    """

    retriable = True


class BrokerError(GatewayError):
    """The local Kafka broker could not be fetched, started, stopped or reached."""

    reason = Reason.BROKER_UNAVAILABLE
    retriable = True


class MessageError(GatewayError):
    """A message that must go to the rejection topic; retrying cannot help."""

    reason = Reason.INVALID_CONTENT


class DecodeError(MessageError):
    """The bytes are not an envelope, or not a body of a schema the gateway knows."""

    reason = Reason.MALFORMED_ENVELOPE


class SignatureError(MessageError):
    """The signature, the certificate, its chain or its revocation status fails."""

    reason = Reason.BAD_SIGNATURE


class ValidationError(MessageError):
    """A field that the regulation (item 14) makes mandatory is missing or malformed."""

    reason = Reason.MISSING_FIELD


class DeliverySealError(MessageError):
    """An inbox record carries no valid delivery seal: the gateway did not write it there.

    Raised by the agency client for a record planted in a body's inbox by someone with write
    access to it, copied from another inbox, or altered after delivery (``docs/wire-format.md``
    §8). Such a record is never handed to the application as a message.
    """

    reason = Reason.NOT_DELIVERED_BY_GATEWAY


class DeliveryError(GatewayError):
    """An adapter could not deliver a message; ``retriable`` decides retry or dead letter.

    ``retriable`` is True for faults that may pass (HTTP 5xx, timeouts, refused connections)
    and False for faults that will not (HTTP 4xx: the target refuses this message as it is).
    ``code`` is the target's own error code when it gave one, ``status`` its HTTP status.
    """

    reason = Reason.DELIVERY_FAILED
    retriable = True

    def __init__(
        self,
        message: str,
        *,
        retriable: bool | None = None,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, field=field, hint=hint)
        if retriable is not None:
            self.retriable = retriable
        self.code = code
        self.status = status


class BackpressureError(DeliveryError):
    """The target asked us to slow down; wait ``retry_after`` seconds before the next try."""

    reason = Reason.BACKPRESSURE

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        code: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, retriable=True, code=code, status=status, hint=hint)
        self.retry_after = retry_after
