"""Masking: validated identifiers pass as they are, anything else is masked under a key."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given
from hypothesis import strategies as st

from gateway.redaction import Masker, shown_code, shown_org

KEY = bytes(range(32))
MASKER = Masker(KEY)


def test_a_canonical_uuid_passes_as_it_is() -> None:
    value = str(uuid.uuid4())
    assert MASKER.shown_id(value) == value
    assert MASKER.shown_id(value.upper()) == value.upper()


def test_no_id_is_none() -> None:
    assert MASKER.shown_id(None) is None
    assert MASKER.shown_id("") is None
    assert MASKER.shown_id(42) is None


@given(st.text(min_size=1, max_size=80))
def test_anything_else_is_masked_and_never_contains_itself(value: str) -> None:
    try:
        uuid_like = str(uuid.UUID(value)) == value.lower()
    except ValueError:
        uuid_like = False
    shown = MASKER.shown_id(value)
    assert shown is not None
    if not uuid_like:
        assert shown.startswith("masked:")
        assert shown == f"masked:{shown[7:19]}/{len(value)}"
        assert len(value) < 3 or value not in shown[7:19]


def test_uuid_forms_other_than_the_canonical_text_are_masked() -> None:
    value = uuid.uuid4()
    for other in (value.hex, f"{{{value}}}", f"urn:uuid:{value}", str(value)[::-1]):
        assert MASKER.shown_id(other).startswith("masked:")  # type: ignore[union-attr]


def test_a_mask_is_stable_keyed_and_not_a_plain_hash() -> None:
    pinfl = "31207881234567"
    assert MASKER.mask(pinfl) == Masker(KEY).mask(pinfl)
    assert MASKER.mask(pinfl) != Masker(bytes(32)).mask(pinfl)
    assert hashlib.sha256(pinfl.encode()).hexdigest()[:12] not in MASKER.mask(pinfl)
    assert MASKER.mask(pinfl.encode()) == MASKER.mask(pinfl)


def test_org_codes_and_target_codes() -> None:
    assert shown_org("201234567") == "201234567"
    assert shown_org("31207881234567") == "<not a 9-digit code: 14 characters>"
    assert shown_org(None) == "<not a 9-digit code: 0 characters>"
    assert shown_code("invalid_value") == "invalid_value"
    assert shown_code("http_500") == "http_500"
    assert shown_code("31207881234567") == "<withheld: 14 characters>"
    assert shown_code("Qodirova Dilnoza not found") == "<withheld: 26 characters>"
    assert shown_code(None) == ""
