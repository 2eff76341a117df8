"""Content rules a message must satisfy before it is routed (regulation 003, items 14, 18, 19).

Pure functions over decoded records: each failure raises a
:class:`~gateway.exceptions.ValidationError` whose ``reason`` is the machine-readable code and
whose ``field`` is the path of the offending field (``applicant.pinfl``), so the sending body's
system can point its user at it. The first failure wins; checks run in the order of item 14.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from gateway.exceptions import ValidationError
from gateway.identifiers import PINFL, STIR, UUID_TEXT
from gateway.reasons import Reason
from gateway.signing import VerifiedSigner

__all__ = [
    "check_answer_fields",
    "check_attachment",
    "check_cancellation_fields",
    "check_request_fields",
    "check_requisites",
    "pinfl_problem",
]


# Decoded records are dicts: with dict first, isinstance answers without the ABC machinery
# (47 checks per request); any other Mapping is still accepted.
_MAPS = (dict, Mapping)


def _missing(path: str, what: str) -> ValidationError:
    return ValidationError(
        f"{path} is empty; item 14 of the regulation requires {what}",
        reason=Reason.MISSING_FIELD,
        field=path,
        hint=f"fill in {path}",
    )


def _invalid(path: str, message: str, hint: str | None = None) -> ValidationError:
    return ValidationError(message, reason=Reason.INVALID_FIELD, field=path, hint=hint)


def text(record: Mapping[str, Any], path: str, what: str) -> str:
    """The non-blank string at ``path`` (dotted) of ``record``; raises ``missing_field``."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, _MAPS) else None
    if not isinstance(value, str) or not value.strip():
        raise _missing(path, what)
    return value


def optional_text(record: Mapping[str, Any], key: str, path: str) -> None:
    """A nullable name part may be absent, but not blank when present."""
    value = record.get(key)
    if value is not None and not str(value).strip():
        raise _invalid(path, f"{path} is blank; leave it out (null) or fill it in")


def check_id(record: Mapping[str, Any], key: str) -> str:
    """Message and case ids are UUIDs: consumers deduplicate on them across all bodies."""
    value = text(record, key, f"a {key}")
    if not UUID_TEXT.match(value):
        raise _invalid(
            key,
            f"{key} is not a UUID in its 8-4-4-4-12 text form ({len(value)} characters given)",
            "generate ids with uuid4 (RFC 9562) and send them as str(uuid)",
        )
    return value


def check_body(record: Mapping[str, Any], key: str) -> str:
    """A sending or receiving body: 9-digit STIR and a name."""
    code = text(record, f"{key}.code", f"the {key} body's organisation code")
    if not STIR.match(code):
        raise _invalid(f"{key}.code", f"{key}.code must be a 9-digit STIR, got {len(code)} chars")
    text(record, f"{key}.name", f"the {key} body's name")
    return code


def pinfl_problem(pinfl: str, birth_date: date | None) -> str | None:
    """Why ``pinfl`` is not a well-formed PINFL (JSHSHIR), or ``None``.

    Layout: 1 digit for sex and century (1-6), the birth date as DDMMYY, a 3-digit district
    code, a 3-digit serial and a check digit (weights 7, 3, 1 over the first 13 digits).
    """
    if not PINFL.match(pinfl):
        return "must be exactly 14 digits"
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}.get(pinfl[0])
    if century is None:
        return "its first digit (sex and century) must be 1 to 6"
    day, month, year = int(pinfl[1:3]), int(pinfl[3:5]), century + int(pinfl[5:7])
    try:
        born = date(year, month, day)
    except ValueError:
        return "digits 2-7 are not a valid birth date (DDMMYY)"
    if birth_date is not None and born != birth_date:
        return "the birth date it encodes differs from applicant.birth_date"
    weights = (7, 3, 1)
    check = sum(int(d) * weights[i % 3] for i, d in enumerate(pinfl[:13])) % 10
    if check != int(pinfl[13]):
        return "its check digit is wrong (mistyped?)"
    return None


def _applicant(record: Mapping[str, Any]) -> None:
    applicant = record.get("applicant")
    if not isinstance(applicant, _MAPS):
        raise _missing("applicant", "the applicant's identifying data")
    if "pinfl" in applicant:  # a person
        pinfl = text(record, "applicant.pinfl", "the applicant's PINFL")
        problem = pinfl_problem(pinfl, applicant.get("birth_date"))
        if problem:
            raise _invalid("applicant.pinfl", f"applicant.pinfl {problem}")
        text(record, "applicant.surname", "the applicant's surname")
        text(record, "applicant.given_name", "the applicant's given name")
        optional_text(applicant, "patronymic", "applicant.patronymic")
        doc = applicant.get("identity_document")
        if isinstance(doc, _MAPS):
            text(record, "applicant.identity_document.series_number", "the document's number")
    else:  # a legal entity
        stir = text(record, "applicant.stir", "the applicant's STIR")
        if not STIR.match(stir):
            raise _invalid("applicant.stir", "applicant.stir must be a 9-digit STIR")
        text(record, "applicant.name", "the applicant's name")


def check_attachment(att: Any, path: str) -> None:
    """A named attachment whose inline bytes match its declared size and SHA-256."""
    if not isinstance(att, _MAPS):
        raise _missing(path, "the attachment")
    if not isinstance(att.get("name"), str) or not att["name"].strip():
        raise _missing(f"{path}.name", "the attachment's file name")
    content = att.get("content")
    if isinstance(content, _MAPS) and "data" in content:
        data = content["data"]
        if len(data) != att.get("size"):
            raise _invalid(
                f"{path}.size", f"{path}.size says {att.get('size')}, data has {len(data)} bytes"
            )
        if hashlib.sha256(data).digest() != att.get("sha256"):
            raise _invalid(f"{path}.sha256", f"{path}.sha256 does not match the attached bytes")
    elif isinstance(content, _MAPS) and not str(content.get("url") or "").strip():
        raise _missing(f"{path}.content.url", "the claim-check URL of the attachment")


def _signer(record: Mapping[str, Any]) -> None:
    text(record, "signer.surname", "the surname of the official who sent it")
    text(record, "signer.given_name", "the given name of the official who sent it")
    optional_text(record.get("signer") or {}, "patronymic", "signer.patronymic")
    text(record, "signer.position", "the position of the official who sent it")


def check_requisites(record: Mapping[str, Any], signer: VerifiedSigner) -> None:
    """The e-signature requisites the message states are those of the certificate that signed."""
    serial = text(record, "signature_requisites.certificate_serial", "the certificate serial")
    issuer = text(record, "signature_requisites.issuer", "the certificate issuer")
    if serial.lower() != signer.serial:
        raise _invalid(
            "signature_requisites.certificate_serial",
            "signature_requisites.certificate_serial is not the serial of the signing certificate",
            "state the serial of the certificate you sign with (lower-case hex)",
        )
    if issuer != signer.issuer:
        raise _invalid(
            "signature_requisites.issuer",
            "signature_requisites.issuer is not the issuer of the signing certificate",
        )


def _signed_by(record: Mapping[str, Any], signer: VerifiedSigner) -> None:
    """The official's full name and position, and the requisites of the signing certificate."""
    _signer(record)
    check_requisites(record, signer)


def _follow_up(record: Mapping[str, Any], reference: str) -> None:
    """The ids of a message that follows a request (``reference`` names it) and its bodies."""
    check_id(record, "message_id")
    check_id(record, "case_id")
    check_id(record, reference)
    check_body(record, "sender")
    check_body(record, "recipient")


def check_request_fields(
    record: Mapping[str, Any], signer: VerifiedSigner, documents: Mapping[str, str]
) -> None:
    """Item 14: everything a request must state, well-formed. ``documents``: what the
    service may return (empty: anything)."""
    check_id(record, "message_id")
    check_id(record, "case_id")
    check_body(record, "sender")
    check_body(record, "recipient")
    text(record, "service.registry_number", "the service's unique registry number")
    text(record, "service.name", "the service's name")
    _applicant(record)
    check_attachment(record.get("application"), "application")
    requested: Sequence[Any] = record.get("requested") or ()
    if not requested:
        raise _missing("requested", "the list of documents or information requested")
    for i, item in enumerate(requested):
        code = str(item.get("code") or "").strip() if isinstance(item, _MAPS) else ""
        if not code:
            raise _missing(f"requested[{i}].code", "a document code")
        if not str(item.get("title") or "").strip():
            raise _missing(f"requested[{i}].title", "the document's title")
        if documents and code not in documents:
            raise _invalid(
                f"requested[{i}].code",
                f"requested[{i}].code is not a document this service provides",
                "see the service registry (services.yaml) for its documents",
            )
    _signed_by(record, signer)
    text(record, "legal_basis", "the legal basis of the request")


def check_answer_fields(kind: str, record: Mapping[str, Any], signer: VerifiedSigner) -> None:
    """A response or refusal: who, to whom, in reply to what; a refusal gives its reasons."""
    _follow_up(record, "in_reply_to")
    text(record, "service.registry_number", "the service's unique registry number")
    _signed_by(record, signer)
    if kind == "Refusal":
        reasons = record.get("reasons") or ()
        if not reasons or not all(str(r.get("text") or "").strip() for r in reasons):
            raise ValidationError(
                "a refusal must state its reasons (item 18)",
                reason=Reason.REASONS_REQUIRED,
                field="reasons",
                hint="give at least one reason with its legal ground",
            )
        text(record, "legal_basis", "the legal basis of the refusal")
    else:
        for i, doc in enumerate(record.get("documents") or ()):
            check_attachment(doc, f"documents[{i}]")


def check_cancellation_fields(record: Mapping[str, Any], signer: VerifiedSigner) -> None:
    """A cancellation names the request it withdraws and why."""
    _follow_up(record, "cancels")
    _signed_by(record, signer)
    text(record, "reason", "the reason for the cancellation")
