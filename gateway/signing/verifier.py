"""Verification of a message signature and its signer's certificate chain (the hot path).

For every message, :meth:`Verifier.verify` checks, in this order: the algorithm is known; the
chain is valid (cached, see below); the leaf names the sending organisation; the key fits the
algorithm; every certificate of the path is valid at the signing time and now; none is
revoked; the signature verifies over exactly the data. The first failure raises a subclass of
:class:`gateway.exceptions.SignatureError` with its reason code, and the message is rejected.

Chain validation (parsing, issuer signatures and names, CA constraints, key usage, the
organisation identifier) depends only on the chain bytes and the trust store, so its result
is kept in a bounded LRU cache keyed by the SHA-256 of the chain. In front of it, a second
bounded map keyed by the algorithm and the chain's bytes remembers each pair that also passed
the key-fits-algorithm check. What remains per message is one dict look-up, the organisation
comparison, two time comparisons, a set lookup for revocation and the message signature.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from gateway.redaction import shown_org
from gateway.signing.algorithms import SignatureAlgorithm
from gateway.signing.certificates import serial_hex
from gateway.signing.chain import validate_chain
from gateway.signing.exceptions import (
    BadSignatureError,
    CertificateRevokedError,
    OrganisationMismatchError,
    SignatureError,
    UnsupportedAlgorithmError,
)
from gateway.signing.registry import DEFAULT_REGISTRY, AlgorithmRegistry
from gateway.signing.trust import RevocationSet, TrustStore
from gateway.signing.validated import ValidatedChain, VerifiedSigner, check_validity_at

__all__ = ["CacheInfo", "Clock", "Verifier"]

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""

DEFAULT_CACHE_SIZE = 4096


def utc_now() -> datetime:
    """The current time in UTC: the default clock."""
    return datetime.now(UTC)


class Verifier:
    """Checks message signatures against a trust store, CRLs and a clock.

    One instance serves the whole process and is safe to share between threads. Build it at
    start-up with :meth:`from_paths`; refresh CRLs with :meth:`replace_revocations`.
    """

    def __init__(
        self,
        trust: TrustStore,
        revocations: RevocationSet | None = None,
        *,
        clock: Clock = utc_now,
        registry: AlgorithmRegistry | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if cache_size < 1:
            raise ValueError(f"cache_size must be at least 1, not {cache_size}.")
        self._trust = trust
        self._revocations = RevocationSet() if revocations is None else revocations
        self._clock = clock
        self._registry = registry or DEFAULT_REGISTRY
        self._cache_size = cache_size
        self._cache: OrderedDict[bytes, ValidatedChain | _Failure] = OrderedDict()
        # The per-message shortcut: (algorithm, chain bytes) -> the scheme and the validated
        # chain, once the chain passed and its key fits the algorithm. Keyed by the DER bytes
        # themselves (hashing them is cheaper than the SHA-256 the chain cache is keyed by);
        # read without the lock (a dict read is atomic), oldest dropped first.
        self._prepared: dict[
            tuple[str, tuple[bytes, ...]], tuple[SignatureAlgorithm, ValidatedChain]
        ] = {}
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    @classmethod
    def from_paths(
        cls,
        trust_paths: Iterable[Path | str],
        crl_paths: Iterable[Path | str] = (),
        *,
        clock: Clock = utc_now,
        registry: AlgorithmRegistry | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> Verifier:
        """Build a verifier from CA certificate files/directories and CRL files (PEM or DER).

        Raises :class:`gateway.exceptions.ConfigError` naming the file when a certificate or
        CRL cannot be read, an anchor is not a CA, or a CRL's issuer is not trusted.
        """
        trust = TrustStore.from_paths(trust_paths)
        revocations = RevocationSet.from_paths(crl_paths, trust, now=clock())
        return cls(trust, revocations, clock=clock, registry=registry, cache_size=cache_size)

    @property
    def trust(self) -> TrustStore:
        """The trust store CRLs must be verified against when they are refreshed."""
        return self._trust

    def replace_revocations(self, revocations: RevocationSet) -> None:
        """Use ``revocations`` from now on (after CRLs were re-read); the cache stays valid."""
        self._revocations = revocations

    def cache_info(self) -> CacheInfo:
        """Hits, misses and size of the chain cache (for metrics)."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._cache), self._cache_size)

    def clear_cache(self) -> None:
        """Forget every validated chain (tests and operations; never needed for correctness)."""
        with self._lock:
            self._cache.clear()
            self._prepared.clear()

    def verify(
        self,
        data: bytes,
        signature: bytes,
        algorithm: str,
        chain_der: Sequence[bytes],
        *,
        expected_org: str,
        signed_at: datetime,
        now: datetime | None = None,
    ) -> VerifiedSigner:
        """Verify that the body ``expected_org`` signed exactly ``data`` at ``signed_at``.

        ``chain_der`` is the signer's chain, leaf first (root optional); ``now`` defaults to
        the clock. Returns who signed. Raises a SignatureError subclass whose ``reason`` says
        which check failed; ``signed_at`` and ``now`` must be timezone-aware (TypeError).
        """
        if signed_at.utcoffset() is None:
            raise TypeError("signed_at must be a timezone-aware datetime.")
        moment = self._clock() if now is None else now
        if moment.utcoffset() is None:
            raise TypeError("now (or the verifier's clock) must give a timezone-aware datetime.")
        try:
            key: tuple[str, tuple[bytes, ...]] | None = (algorithm, tuple(chain_der))
            prepared = self._prepared.get(key)  # type: ignore[arg-type]
        except (TypeError, ValueError):  # unhashable parts (a writable memoryview, a list)
            key, prepared = None, None
        if prepared is None:
            scheme = self._registry.get(algorithm)
            chain = self.validate_chain(chain_der)
            _check_organisation(chain, expected_org)
            if not scheme.accepts_public_key(chain.public_key):
                raise UnsupportedAlgorithmError(
                    f"The signing certificate's {type(chain.public_key).__name__} cannot be "
                    f"used with algorithm {scheme.name!r}.",
                    hint="Name the algorithm that matches the signing key in the envelope.",
                )
            if key is not None and all(type(der) is bytes for der in key[1]):
                self._remember(key, (scheme, chain))  # never a caller's buffer
        else:
            scheme, chain = prepared
            self._hits += 1  # statistics only: a lost increment between threads is harmless
            _check_organisation(chain, expected_org)
        if not (
            chain.not_before <= signed_at <= chain.not_after
            and chain.not_before <= moment <= chain.not_after
        ):
            check_validity_at(chain, signed_at, "signing time")
            check_validity_at(chain, moment, "verification time")
        revoked = self._revocations.first_revoked(chain.revocation_keys)
        if revoked is not None:
            raise CertificateRevokedError(
                f"The {chain.label_of(revoked)} (serial {serial_hex(revoked[1])}, issuer "
                f"{revoked[0]!r}) is revoked by its CA.",
                hint="Obtain a new certificate and sign again with it.",
            )
        if not _verify_signature(scheme, chain, signature, data):
            raise BadSignatureError(
                f"The {scheme.name} signature does not match the data and the signing "
                "certificate's key: the data was changed or signed with another key.",
                hint="Sign exactly the bytes sent, with the key of the certificate sent.",
            )
        return chain.signer

    def _remember(
        self,
        key: tuple[str, tuple[bytes, ...]],
        prepared: tuple[SignatureAlgorithm, ValidatedChain],
    ) -> None:
        """Keep a (scheme, chain) pair that passed every message-independent check; bounded."""
        with self._lock:
            self._prepared[key] = prepared
            while len(self._prepared) > self._cache_size:
                del self._prepared[next(iter(self._prepared))]  # the oldest pair

    def validate_chain(self, chain_der: Sequence[bytes]) -> ValidatedChain:
        """The time-independent validation of ``chain_der``, from the cache when possible.

        Failures are cached too (a replayed bad chain costs one hash) and re-raised as fresh
        exceptions of the same class and text. Raises what ``validate_chain`` raises.
        """
        key = _chain_key(chain_der)
        if key is None:  # not a sequence of bytes: validate (and fail) without caching
            return validate_chain(chain_der, self._trust)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self._hits += 1
            else:
                self._misses += 1
        if cached is None:
            try:
                cached = validate_chain(chain_der, self._trust)
            except SignatureError as exc:
                cached = _Failure(type(exc), exc.message, exc.hint)
            with self._lock:
                self._cache[key] = cached
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if isinstance(cached, _Failure):
            raise cached.kind(cached.message, hint=cached.hint)
        return cached


class CacheInfo(NamedTuple):
    """Statistics of a verifier's chain cache, like ``functools.lru_cache``'s."""

    hits: int
    misses: int
    size: int
    maxsize: int


class _Failure(NamedTuple):
    """A cached chain rejection, kept without its traceback (which would pin the frames)."""

    kind: type[SignatureError]
    message: str
    hint: str | None


def _check_organisation(chain: ValidatedChain, expected_org: str) -> None:
    """Raise unless the signing certificate names the sending body ``expected_org``."""
    if chain.signer.org_code != expected_org:
        raise OrganisationMismatchError(
            f"The signing certificate belongs to organisation {chain.signer.org_code!r}, "
            f"not to the sender {shown_org(expected_org)}.",
            hint="Sign with your own body's certificate, or correct the sender code.",
        )


def _verify_signature(
    scheme: SignatureAlgorithm, chain: ValidatedChain, signature: bytes, data: bytes
) -> bool:
    """Run the algorithm's verify; any exception from a malformed input counts as invalid."""
    try:
        return scheme.verify(chain.public_key, signature, data) is True
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError, OverflowError):
        # The built-in algorithms return False; a registered one might raise instead.
        return False


def _chain_key(chain_der: Sequence[bytes]) -> bytes | None:
    """SHA-256 over the chain with each certificate prefixed by its length; None if not bytes.

    The length prefixes make the key unambiguous: ``[a + b]`` and ``[a, b]`` differ.
    """
    if not isinstance(chain_der, list | tuple):
        return None
    digest = hashlib.sha256()
    for der in chain_der:
        if not isinstance(der, bytes):
            return None
        digest.update(len(der).to_bytes(4, "big"))
        digest.update(der)
    return digest.digest()
