"""Machine-readable reason codes: the classifier of everything the gateway refuses or fails.

Codes are stable identifiers (snake_case) that agency systems branch on; they are also the
symbols of the Avro enum ``ReasonCode`` so a rejection on the wire carries the same code.
Add new codes at the end; never rename or remove one (consumers depend on them).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """Why a message was rejected or an operation failed."""

    INTERNAL = "internal"
    BAD_CONFIGURATION = "bad_configuration"
    BROKER_UNAVAILABLE = "broker_unavailable"
    # decoding
    MALFORMED_ENVELOPE = "malformed_envelope"
    UNKNOWN_SCHEMA = "unknown_schema"
    MALFORMED_BODY = "malformed_body"
    MESSAGE_TOO_LARGE = "message_too_large"
    # signatures and certificates
    BAD_SIGNATURE = "bad_signature"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    BAD_CERTIFICATE = "bad_certificate"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_REVOKED = "certificate_revoked"
    KEY_USAGE = "key_usage"
    ORGANISATION_MISMATCH = "organisation_mismatch"
    # content (item 14 and friends)
    INVALID_CONTENT = "invalid_content"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_SERVICE = "unknown_service"
    STATE_SECRET = "state_secret"  # noqa: S105 -- a reason code, not a password
    NOT_AUTHORISED = "not_authorised"
    WRONG_OUTBOX = "wrong_outbox"
    DUPLICATE_ID = "duplicate_id"
    CLOCK_SKEW = "clock_skew"
    TOO_OLD = "too_old"
    UNKNOWN_REQUEST = "unknown_request"
    REQUEST_CLOSED = "request_closed"
    NOT_ADDRESSEE = "not_addressee"
    REASONS_REQUIRED = "reasons_required"
    # delivery
    DELIVERY_FAILED = "delivery_failed"
    BACKPRESSURE = "backpressure"
    # added after the first release of the list
    REQUEST_CANCELLED = "request_cancelled"
    NOT_DELIVERED_BY_GATEWAY = "not_delivered_by_gateway"  # an inbox record without a valid seal
    ENVELOPE_VERSION_RETIRED = "envelope_version_retired"  # v1 after GATEWAY_ENVELOPE_V1_UNTIL
    ATTACHMENT_TOO_LARGE = "attachment_too_large"  # an inline attachment over the limit
