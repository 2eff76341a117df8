"""Properties of the codec: every valid Request round-trips; no input escapes as a library error."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.schemas import MalformedBodyError, SchemaRegistry, samples

REGISTRY = SchemaRegistry.load()  # hypothesis re-runs the test body; fixtures would not reset

# o' and g' are written with U+02BB (modifier letter turned comma), U+2019 or an apostrophe
UZBEK_LATIN = string.ascii_letters + "\u02bb\u2019'- "
UZBEK_CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЪЭЮЯЎҚҒҲабвгдеёжзийклмнопрстуфхцчшъэюяўқғҳ- "

digits = st.sampled_from(string.digits)
pinfl = st.text(digits, min_size=14, max_size=14)
stir = st.text(digits, min_size=9, max_size=9)
name = st.one_of(
    st.text(st.sampled_from(UZBEK_LATIN), min_size=1, max_size=40),
    st.text(st.sampled_from(UZBEK_CYRILLIC), min_size=1, max_size=40),
)
free_text = st.text(max_size=200)  # any Unicode but surrogates: what UTF-8 can carry
instant = st.datetimes(
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by contract
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
uuid_text = st.uuids().map(str)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    return {"code": draw(stir), "name": draw(name)}


@st.composite
def people(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "pinfl": draw(pinfl),
        "surname": draw(name),
        "given_name": draw(name),
        "patronymic": draw(st.none() | name),
        "birth_date": draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))),
        "identity_document": {
            "kind": draw(
                st.sampled_from(
                    ["passport", "id_card", "birth_certificate", "foreign_passport", "other"]
                )
            ),
            "series_number": draw(st.text(string.ascii_uppercase + string.digits, max_size=12)),
        },
    }


@st.composite
def legal_entities(draw: st.DrawFn) -> dict[str, Any]:
    return {"stir": draw(stir), "name": draw(name)}


@st.composite
def attachments(draw: st.DrawFn) -> dict[str, Any]:
    return samples.sample_attachment(
        draw(st.binary(max_size=4096)),
        name=draw(name),
        media_type=draw(st.sampled_from(["application/pdf", "image/jpeg", "application/xml"])),
        document_kind=draw(
            st.none() | st.sampled_from(["cover_letter", "hokim_decision", "hokim_order"])
        ),
        external_url=draw(st.none() | st.just("https://store.example.uz/blob/1")),
    )


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    message_id = draw(uuid_text)
    return {
        "message_id": message_id,
        "case_id": message_id,
        "sender": draw(bodies()),
        "recipient": draw(bodies()),
        "service": {"registry_number": draw(free_text), "name": draw(free_text)},
        "applicant": draw(people() | legal_entities()),
        "application": draw(attachments()),
        "requested": draw(
            st.lists(
                st.fixed_dictionaries({"code": free_text, "title": free_text}),
                min_size=1,
                max_size=5,
            )
        ),
        "sent_at": draw(instant),
        "signer": {
            "surname": draw(name),
            "given_name": draw(name),
            "patronymic": draw(st.none() | name),
            "position": draw(free_text),
        },
        "signature_requisites": {
            "certificate_serial": draw(st.text("0123456789abcdef", min_size=1, max_size=40)),
            "issuer": draw(free_text),
        },
        "legal_basis": draw(free_text),
        "classification": draw(
            st.sampled_from(["public", "personal_data", "confidential", "state_secret"])
        ),
        "extra": draw(st.dictionaries(free_text, free_text, max_size=4)),
    }


@settings(max_examples=75, deadline=None)
@given(requests())
def test_any_valid_request_round_trips_unchanged(record: dict[str, Any]) -> None:
    fingerprint = REGISTRY.fingerprint("Request")
    decoded = REGISTRY.decode(fingerprint, REGISTRY.encode("Request", record))
    assert decoded.record == record


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(REGISTRY.names()), st.binary(max_size=512))
def test_any_bytes_decode_or_fail_as_malformed_body(name: str, data: bytes) -> None:
    try:
        decoded = REGISTRY.decode(REGISTRY.fingerprint(name), data)
    except MalformedBodyError:
        return
    REGISTRY.encode(name, decoded.record)  # what decodes is always valid input to encode
