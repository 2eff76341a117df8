"""The delivery seal: the gateway's signature that it wrote this record to this inbox.

A body's inbox is written by the gateway only, but an envelope it forwards verifies as its
sender's whatever topic it sits in; so a client that could write to an inbox (a leaked
credential, a wrong ACL) could plant a genuinely signed copy there. Every record the gateway
writes to ``exchange.inbox.<code>`` therefore carries, in the Kafka header ``gateway.seal``,
the gateway's signature over::

    u32 ‖ "uz.exchange.delivery-seal/1" ‖ u32 ‖ topic ‖ u32 ‖ message id ‖ SHA-256(value)

(each u32 the length of the string after it, 4 bytes big-endian; strings UTF-8), and the
agency client refuses any inbox record whose seal is missing or does not verify for the topic
it was read from, the message id of its body and the bytes of its value. The byte layout and
the checks, in order, are specified in ``docs/wire-format.md`` §8; ``tests/vectors/seal``
holds a test vector.

Pure: no Kafka. :class:`Sealer` is built once per process from the gateway's :class:`Signer`
(the header's fixed parts are encoded once); :class:`SealVerifier` wraps the client's
:class:`Verifier`, whose chain cache makes the per-record cost one SHA-256 of the value and
one signature check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from gateway.exceptions import DeliverySealError
from gateway.signing import SignatureError, Signer, VerifiedSigner, Verifier
from gateway.signing.exceptions import BadSignatureError
from gateway.topics.names import inbox_topic

__all__ = [
    "INBOX_PREFIX",
    "SEAL_FORMAT",
    "SEAL_HEADER",
    "SEAL_LABEL",
    "Seal",
    "SealVerifier",
    "Sealer",
    "decode_seal",
    "encode_seal",
    "find_seal",
    "seal_signing_input",
]

SEAL_HEADER = "gateway.seal"
SEAL_LABEL = b"uz.exchange.delivery-seal/1"
"""Domain separation: a seal signature can never be taken for any other signature."""
SEAL_FORMAT = 1
INBOX_PREFIX = inbox_topic("")
MAX_CHAIN = 5
_HINT = (
    "do not act on this record; report its topic, partition and offset to the exchange "
    "operator (only the gateway may write to an inbox)"
)


class Seal(NamedTuple):
    """A decoded ``gateway.seal`` header: the algorithm, the signature and the signer's chain."""

    algorithm: str
    signature: bytes
    chain: tuple[bytes, ...]


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def seal_signing_input(topic: str, message_id: str, value_sha256: bytes) -> bytes:
    """The exact bytes a seal signs (``docs/wire-format.md`` §8.1).

    ``message_id`` is the ``message_id`` field of the record's body (empty if it has none).
    """
    if len(value_sha256) != 32:
        raise ValueError(f"value_sha256 must be 32 bytes, not {len(value_sha256)}")
    t, m = topic.encode(), message_id.encode()
    return b"".join(
        (_u32(len(SEAL_LABEL)), SEAL_LABEL, _u32(len(t)), t, _u32(len(m)), m, value_sha256)
    )


def encode_seal(algorithm: str, signature: bytes, chain: Iterable[bytes]) -> bytes:
    """The ``gateway.seal`` header value (``docs/wire-format.md`` §8.2)."""
    certs = tuple(chain)
    if not 1 <= len(certs) <= MAX_CHAIN:
        raise ValueError(f"a seal carries 1 to {MAX_CHAIN} certificates, not {len(certs)}")
    name = algorithm.encode()
    parts = [bytes((SEAL_FORMAT,)), _u32(len(name)), name, _u32(len(signature)), signature]
    parts.append(bytes((len(certs),)))
    for der in certs:
        parts += [_u32(len(der)), der]
    return b"".join(parts)


def decode_seal(data: bytes) -> Seal:
    """Parse a ``gateway.seal`` header value; :class:`DeliverySealError` when malformed."""
    data = bytes(data)
    if not data or data[0] != SEAL_FORMAT:
        found = f"format {data[0]}" if data else "empty"
        raise DeliverySealError(
            f"the {SEAL_HEADER} header is {found}; this client reads format {SEAL_FORMAT}",
            field=SEAL_HEADER,
            hint=_HINT,
        )
    raw_name, pos = _take(data, 1, "algorithm name")
    try:
        algorithm = raw_name.decode("ascii")
    except UnicodeDecodeError:
        raise _malformed("the algorithm name is not ASCII") from None
    signature, pos = _take(data, pos, "signature")
    if pos >= len(data):
        raise _malformed("it ends before the certificate count")
    count = data[pos]
    if not 1 <= count <= MAX_CHAIN:
        raise _malformed(f"it names {count} certificates (1 to {MAX_CHAIN} allowed)")
    pos += 1
    chain = []
    for i in range(count):
        der, pos = _take(data, pos, "certificate", i + 1)
        chain.append(der)
    if pos != len(data):
        raise _malformed(f"{len(data) - pos} bytes follow the last certificate")
    return Seal(algorithm, signature, tuple(chain))


def _take(data: bytes, pos: int, what: str, number: int | None = None) -> tuple[bytes, int]:
    """The length-prefixed field at ``pos`` and the position after it."""
    start = pos + 4
    if start > len(data):
        raise _malformed(f"it ends inside the length of the {_name(what, number)}")
    end = start + int.from_bytes(data[pos:start], "big")
    if end == start or end > len(data):
        raise _malformed(f"the {_name(what, number)} is empty or longer than the header")
    return data[start:end], end


def _name(what: str, number: int | None) -> str:
    return what if number is None else f"{what} {number}"


def _malformed(what: str) -> DeliverySealError:
    return DeliverySealError(
        f"the {SEAL_HEADER} header is malformed: {what}", field=SEAL_HEADER, hint=_HINT
    )


def find_seal(headers: Iterable[tuple[str, bytes]] | None) -> bytes | None:
    """The value of the one ``gateway.seal`` header; None if absent. Two count as malformed."""
    found = [bytes(v) for k, v in headers or () if k == SEAL_HEADER]
    if len(found) > 1:
        raise _malformed(f"the record has {len(found)} {SEAL_HEADER} headers, not one")
    return found[0] if found else None


class Sealer:
    """Seals records for inbox topics with the gateway's key; build one per process."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        empty = encode_seal(signer.algorithm, b"\x00", signer.chain_der)
        name_end = 1 + 4 + len(signer.algorithm.encode())
        self._head = empty[:name_end]  # format and algorithm: the same for every record
        self._tail = empty[name_end + 4 + 1 :]  # count and chain: the same for every record

    def seal(self, topic: str, message_id: str, value: bytes) -> bytes:
        """The ``gateway.seal`` header value for ``value`` written to inbox ``topic``."""
        if not topic.startswith(INBOX_PREFIX):
            raise ValueError(f"only inbox topics are sealed, not {topic!r}")
        data = seal_signing_input(topic, message_id, hashlib.sha256(value).digest())
        signature = self.signer.sign(data)
        return b"".join((self._head, _u32(len(signature)), signature, self._tail))


class SealVerifier:
    """Checks that an inbox record carries the gateway's valid seal for where it was read.

    ``verifier`` is the body's own (its trust store and CRLs); ``gateway_org`` the gateway's
    organisation code (``999999999`` by default). Chain validation is cached by the verifier.
    """

    def __init__(self, verifier: Verifier, *, gateway_org: str) -> None:
        self.verifier = verifier
        self.gateway_org = gateway_org

    def parse(self, header: bytes | None) -> Seal:
        """The decoded ``gateway.seal`` header; :class:`DeliverySealError` when it is absent
        (None) or malformed. The first check of an inbox record, before its value is read."""
        if header is None:
            raise DeliverySealError(
                f"the record has no {SEAL_HEADER} header: the gateway did not deliver it "
                "(a record written to the inbox by someone else)",
                field=SEAL_HEADER,
                hint=_HINT,
            )
        return decode_seal(header)

    def verify(
        self,
        seal: Seal,
        *,
        topic: str,
        message_id: str,
        value: bytes,
        now: datetime | None = None,
    ) -> VerifiedSigner:
        """Verify ``seal`` for a record read from ``topic`` whose body has ``message_id``.

        Raises :class:`DeliverySealError` (``not_delivered_by_gateway``) saying what failed:
        a signer that is not the trusted, unrevoked, currently valid gateway, an algorithm
        that does not fit its key, or a signature that does not cover this topic, message id
        and value.
        """
        moment = now or datetime.now(UTC)
        data = seal_signing_input(topic, message_id, hashlib.sha256(value).digest())
        try:
            return self.verifier.verify(
                data,
                seal.signature,
                seal.algorithm,
                seal.chain,
                expected_org=self.gateway_org,
                signed_at=moment,
                now=moment,
            )
        except BadSignatureError:
            raise DeliverySealError(
                f"the {SEAL_HEADER} signature does not cover this record as read: the gateway "
                f"sealed another topic than {topic}, another message id or other bytes "
                "(a record copied from another inbox, or altered after delivery)",
                field=SEAL_HEADER,
                hint=_HINT,
            ) from None
        except SignatureError as exc:
            raise DeliverySealError(
                f"the {SEAL_HEADER} is not the gateway's ({exc.reason}): {exc.message}",
                field=SEAL_HEADER,
                hint=_HINT,
            ) from None

    def check(
        self,
        header: bytes | None,
        *,
        topic: str,
        message_id: str,
        value: bytes,
        now: datetime | None = None,
    ) -> VerifiedSigner:
        """:meth:`parse` and :meth:`verify` in one: the whole seal check of a record."""
        seal = self.parse(header)
        return self.verify(seal, topic=topic, message_id=message_id, value=value, now=now)
