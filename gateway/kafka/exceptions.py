"""Errors of the Kafka connection layer: a client the broker would not let in, and why."""

from __future__ import annotations

import enum

from gateway.exceptions import BrokerError
from gateway.reasons import Reason

__all__ = ["KafkaAccessError", "TlsFailure"]


class TlsFailure(enum.Enum):
    """Why a TLS connection to the broker failed (from the TLS alert or the local check)."""

    CERTIFICATE_REQUIRED = "the broker requires a client certificate and none was sent"
    UNKNOWN_CA = "the broker does not trust the CA that issued this client's certificate"
    CERTIFICATE_EXPIRED = "the broker refused this client's certificate as expired"
    BAD_CERTIFICATE = "the broker refused this client's certificate"
    CERTIFICATE_REVOKED = "the broker refused this client's certificate as revoked"
    SERVER_UNTRUSTED = "the broker's certificate is not issued by the CA this client trusts"
    HOSTNAME_MISMATCH = "the broker's certificate does not name the address connected to"
    NOT_TLS = "the broker's listener does not speak TLS (a PLAINTEXT listener?)"
    REFUSED = "nothing accepts connections at that address"
    AUTHENTICATION = "the broker refused this client's SASL credentials or connection"


class KafkaAccessError(BrokerError):
    """The broker refused this client at connection time; ``failure`` says why.

    Not retriable: a certificate or password does not get better by trying again.
    """

    reason = Reason.BROKER_UNAVAILABLE
    retriable = False

    def __init__(self, message: str, *, failure: TlsFailure, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.failure = failure
