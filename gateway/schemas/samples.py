"""Valid sample records of every message type, for tests, the demo and documentation.

Each builder returns a fresh dict that the registry encodes as is (``registry.encode(name,
sample_x())``) and that decodes back unchanged. Keyword arguments replace top-level fields, so a
test can state only what it is about: ``sample_request(classification="state_secret")``.
Every identifier here is made up: the PINFL, STIR and certificate serials belong to nobody.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "REQUEST_ID",
    "sample_attachment",
    "sample_cancellation",
    "sample_envelope",
    "sample_receipt",
    "sample_refusal",
    "sample_rejection",
    "sample_request",
    "sample_response",
    "sample_status",
]

REQUEST_ID = "0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01"
"""``message_id`` of :func:`sample_request`, and so the ``case_id`` of every sample."""

_RESPONSE_ID = "3f1d6a52-7c4e-4b9a-a0d3-2e8f9b1c4a77"
_REFUSAL_ID = "8a2e4c61-0b3f-4d5e-9f70-1a2b3c4d5e6f"
_CANCELLATION_ID = "c4d5e6f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
_EVENT_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"

_SENT_AT = datetime(2025, 3, 10, 9, 15, 0, tzinfo=UTC)
_ANSWERED_AT = datetime(2025, 3, 11, 10, 30, 0, tzinfo=UTC)
_DEADLINE = datetime(2025, 3, 11, 13, 0, 0, tzinfo=UTC)  # 18:00 Tashkent, next business day

_REQUESTER = {"code": "201234567", "name": "Toshkent shahar Yunusobod tumani hokimligi"}
_HOLDER = {"code": "202345678", "name": "Toshkent shahar FHDYo bo'limi"}
_SERVICE = {"registry_number": "DX-0123", "name": "Uy-joy uchun subsidiya berish"}


def _signer(surname: str, given_name: str, patronymic: str | None, position: str) -> dict[str, Any]:
    return {
        "surname": surname,
        "given_name": given_name,
        "patronymic": patronymic,
        "position": position,
    }


def _requisites(serial: str) -> dict[str, Any]:
    return {
        "certificate_serial": serial,
        "issuer": "CN=Sample CA,O=Sample Certification Centre,C=UZ",
    }


def _apply(record: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = overrides.keys() - record.keys()
    if unknown:
        raise TypeError(f"no such field in the sample: {', '.join(sorted(unknown))}")
    record.update(overrides)
    return record


def sample_attachment(
    data: bytes = b"%PDF-1.7\n% sample applicant's application\n%%EOF\n",
    *,
    name: str = "ariza.pdf",
    media_type: str = "application/pdf",
    document_kind: str | None = None,
    external_url: str | None = None,
) -> dict[str, Any]:
    """An Attachment record for ``data``: inline, or a claim check when ``external_url`` is given.

    ``size`` and ``sha256`` are computed from ``data``, so the record is self-consistent.
    """
    digest = hashlib.sha256(data).digest()
    content: dict[str, Any] = (
        {"data": data} if external_url is None else {"url": external_url, "sha256": digest}
    )
    return {
        "name": name,
        "media_type": media_type,
        "size": len(data),
        "sha256": digest,
        "document_kind": document_kind,
        "content": content,
    }


def sample_request(**overrides: Any) -> dict[str, Any]:
    """A complete interagency request carrying every requisite of item 14, from a natural person."""
    record: dict[str, Any] = {
        "message_id": REQUEST_ID,
        "case_id": REQUEST_ID,
        "sender": dict(_REQUESTER),
        "recipient": dict(_HOLDER),
        "service": dict(_SERVICE),
        "applicant": {
            "pinfl": "41405900261239",
            "surname": "Karimova",
            "given_name": "Dilnoza",
            "patronymic": "Rustamovna",
            "birth_date": date(1990, 5, 14),
            "identity_document": {"kind": "id_card", "series_number": "AD1234567"},
        },
        "application": sample_attachment(),
        "requested": [
            {"code": "birth_record", "title": "Tug'ilganlik haqidagi dalolatnoma yozuvi"},
            {"code": "marriage_record", "title": "Nikoh tuzilganligi haqidagi dalolatnoma yozuvi"},
        ],
        "sent_at": _SENT_AT,
        "signer": _signer("Aliyev", "Jasur", "Bahodirovich", "Bosh mutaxassis"),
        "signature_requisites": _requisites("4f2a9c0e71b3d5a8"),
        "legal_basis": "Vazirlar Mahkamasining qarori, Nizom 10-band",
        "classification": "personal_data",
        "extra": {"application_channel": "my.gov.uz"},
    }
    return _apply(record, overrides)


def sample_response(**overrides: Any) -> dict[str, Any]:
    """The holder's answer to :func:`sample_request`, with one document attached inline."""
    record: dict[str, Any] = {
        "message_id": _RESPONSE_ID,
        "case_id": REQUEST_ID,
        "in_reply_to": REQUEST_ID,
        "sender": dict(_HOLDER),
        "recipient": dict(_REQUESTER),
        "service": dict(_SERVICE),
        "sent_at": _ANSWERED_AT,
        "signer": _signer("Tosheva", "Malika", None, "Yetakchi mutaxassis"),
        "signature_requisites": _requisites("7d3e1b09c4a2f6e5"),
        "classification": "personal_data",
        "documents": [
            sample_attachment(
                b"%PDF-1.7\n% birth record extract\n%%EOF\n",
                name="dalolatnoma.pdf",
            ),
        ],
        "note": None,
    }
    return _apply(record, overrides)


def sample_refusal(**overrides: Any) -> dict[str, Any]:
    """A reasoned refusal (item 18) to :func:`sample_request`."""
    record: dict[str, Any] = {
        "message_id": _REFUSAL_ID,
        "case_id": REQUEST_ID,
        "in_reply_to": REQUEST_ID,
        "sender": dict(_HOLDER),
        "recipient": dict(_REQUESTER),
        "service": dict(_SERVICE),
        "sent_at": _ANSWERED_AT,
        "signer": _signer("Tosheva", "Malika", None, "Yetakchi mutaxassis"),
        "signature_requisites": _requisites("7d3e1b09c4a2f6e5"),
        "reasons": [
            {
                "code": "document_not_held",
                "text": "Ko'rsatilgan shaxs bo'yicha nikoh dalolatnomasi yozuvi mavjud emas.",
            },
        ],
        "legal_basis": "Nizom 18-band",
    }
    return _apply(record, overrides)


def sample_cancellation(**overrides: Any) -> dict[str, Any]:
    """The requester withdraws :func:`sample_request`."""
    record: dict[str, Any] = {
        "message_id": _CANCELLATION_ID,
        "case_id": REQUEST_ID,
        "cancels": REQUEST_ID,
        "sender": dict(_REQUESTER),
        "recipient": dict(_HOLDER),
        "service": dict(_SERVICE),
        "sent_at": datetime(2025, 3, 10, 11, 0, 0, tzinfo=UTC),
        "signer": _signer("Aliyev", "Jasur", "Bahodirovich", "Bosh mutaxassis"),
        "signature_requisites": _requisites("4f2a9c0e71b3d5a8"),
        "reason": "Ariza beruvchi arizasini qaytarib oldi.",
    }
    return _apply(record, overrides)


def sample_status(**overrides: Any) -> dict[str, Any]:
    """The ``accepted`` event of :func:`sample_request`, with the answer deadline in force."""
    record: dict[str, Any] = {
        "event_id": _EVENT_ID,
        "case_id": REQUEST_ID,
        "message_id": REQUEST_ID,
        "stage": "accepted",
        "at": datetime(2025, 3, 10, 9, 15, 2, 250_000, tzinfo=UTC),
        "actor": "300000001",
        "deadline": _DEADLINE,
        "detail": {"recipient": _HOLDER["code"]},
    }
    return _apply(record, overrides)


def sample_receipt(**overrides: Any) -> dict[str, Any]:
    """The gateway's receipt for :func:`sample_request`: accepted, deadline running."""
    record: dict[str, Any] = {
        "message_id": REQUEST_ID,
        "case_id": REQUEST_ID,
        "body_sha256": hashlib.sha256(b"sample request body").digest(),
        "received_at": datetime(2025, 3, 10, 9, 15, 2, 250_000, tzinfo=UTC),
        "outcome": "accepted",
        "reason": None,
        "deadline": _DEADLINE,
    }
    return _apply(record, overrides)


def sample_rejection(**overrides: Any) -> dict[str, Any]:
    """A rejection of a request whose applicant had no PINFL, as written to exchange.rejected."""
    record: dict[str, Any] = {
        "message_id": REQUEST_ID,
        "reason": "missing_field",
        "message": "The request has no applicant PINFL; item 14 requires the applicant's data.",
        "field_path": "applicant.pinfl",
        "original": b"\x00\x01 original record value",
        "original_sha256": hashlib.sha256(b"\x00\x01 original record value").digest(),
        "original_size": 25,
        "source_topic": "exchange.outbox.201234567",
        "source_partition": 3,
        "source_offset": 1042,
        "rejected_at": datetime(2025, 3, 10, 9, 15, 2, 300_000, tzinfo=UTC),
    }
    return _apply(record, overrides)


def sample_envelope(**overrides: Any) -> dict[str, Any]:
    """A structurally valid Envelope with placeholder body, fingerprint and signature.

    The bytes are not a real body or signature: pass ``body=``, ``schema_fingerprint=`` and
    ``signature=`` made by the registry and the signing package to get a verifiable envelope.
    """
    record: dict[str, Any] = {
        "version": 1,
        "body": b"placeholder body bytes",
        "schema_fingerprint": bytes(8),
        "signature_algorithm": "ed25519",
        "signature": bytes(64),
        "signed_at": datetime(2025, 3, 10, 9, 15, 0, 120_000, tzinfo=UTC),
        "certificate_chain": [b"0\x82 leaf certificate DER", b"0\x82 issuing CA DER"],
    }
    return _apply(record, overrides)
