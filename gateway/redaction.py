"""What the gateway writes as-is to Kafka headers, keys, events and logs, and what it masks.

Rule: an identifier that passed validation (a message or case id in canonical UUID text, a
9-digit organisation code, a code-like token) is written as it is; anything else taken from a
message (an id that failed its check, a quoted field value) is masked. Only the signed
original itself travels unmasked: inside a Rejection on the operator-only topic (the sender's
own inbox copy names it by its SHA-256 instead).

A mask is ``masked:<12 hex digits>/<length>``: the first 48 bits of an HMAC-SHA-256 under a
key only the gateway holds (derived from its signing key, so every worker of a deployment
masks alike and a replay repeats the same ids). An unkeyed hash would not do: a PINFL has
about 10^10 possible values, and its plain SHA-256 prefix is recovered by trying them all.
Error messages quote no values at all; they say which field and what is wrong with it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from gateway.identifiers import STIR, UUID_TEXT

__all__ = ["MASK_KEY_LABEL", "Masker", "shown_code", "shown_org"]

MASK_KEY_LABEL = b"uz.exchange.mask/1"
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}\Z")


class Masker:
    """Masks values that did not pass validation; one per process, keyed by the gateway."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a mask key has at least 16 bytes")
        self._key = key

    def mask(self, value: str | bytes) -> str:
        """``masked:<12 hex>/<length>`` (length in characters, or in bytes for bytes)."""
        data = value.encode() if isinstance(value, str) else value
        digest = hmac.new(self._key, data, hashlib.sha256).hexdigest()
        return f"masked:{digest[:12]}/{len(value)}"

    def shown_id(self, value: object) -> str | None:
        """A message or case id fit for headers, keys and events; None when there is none."""
        if not isinstance(value, str) or not value:
            return None
        return value if UUID_TEXT.match(value) else self.mask(value)


def shown_org(value: object) -> str:
    """An organisation code as an error message may quote it: 9 digits as they are,
    anything else only by its length."""
    if isinstance(value, str) and STIR.match(value):
        return value
    size = len(value) if isinstance(value, str) else 0
    return f"<not a 9-digit code: {size} characters>"


def shown_code(value: object) -> str:
    """A machine-readable code from outside (a target's error code) as a header may carry
    it: a short token that starts with a letter as is, anything else (digits only, spaces,
    sentences) withheld but for its length."""
    text = "" if value is None else str(value)
    return text if not text or _TOKEN.match(text) else f"<withheld: {len(text)} characters>"
