"""Signing outgoing messages with the gateway's (or a body's) key and certificate chain."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from gateway.exceptions import ConfigError
from gateway.reasons import Reason
from gateway.signing.certificates import load_chain_pem
from gateway.signing.exceptions import UnsupportedAlgorithmError
from gateway.signing.registry import DEFAULT_REGISTRY, AlgorithmRegistry

__all__ = ["Signer"]


class Signer:
    """Signs bytes with one private key and carries the matching certificate chain.

    Built once at start-up from a PEM key file (or a key object) and the chain, leaf first, as
    DER. The algorithm defaults to the first registered one that fits the key (EC P-256 ->
    ecdsa-p256-sha256, Ed25519 -> ed25519, RSA -> rsa-pss-sha256). Every mistake (unreadable
    key, unknown algorithm, a key that does not fit the algorithm or the leaf certificate)
    raises :class:`gateway.exceptions.ConfigError`, so the process does not start.
    """

    def __init__(
        self,
        private_key: PrivateKeyTypes | Path | str,
        chain_der: Sequence[bytes],
        *,
        algorithm: str | None = None,
        password: bytes | None = None,
        registry: AlgorithmRegistry | None = None,
    ) -> None:
        registry = registry or DEFAULT_REGISTRY
        if isinstance(private_key, Path | str):
            source, key = str(private_key), _load_key(private_key, password)
        else:
            source, key = "private key", private_key
        try:
            scheme = registry.get(algorithm) if algorithm else registry.for_private_key(key)
        except UnsupportedAlgorithmError as exc:
            raise ConfigError(
                f"{source}: {exc.message}",
                reason=Reason.UNSUPPORTED_ALGORITHM,
                field=source,
                hint=exc.hint,
            ) from None
        if not scheme.accepts_private_key(key):
            raise ConfigError(
                f"{source}: a {type(key).__name__} cannot sign with {scheme.name!r}.",
                reason=Reason.UNSUPPORTED_ALGORITHM,
                field=source,
                hint="Choose the algorithm that matches the key, or leave it unset.",
            )
        self._key = key
        self._scheme = scheme
        self._chain = tuple(bytes(der) for der in chain_der)
        self._check_chain(source)

    @classmethod
    def from_files(
        cls,
        key_path: Path | str,
        chain_path: Path | str,
        *,
        algorithm: str | None = None,
        password: bytes | None = None,
        registry: AlgorithmRegistry | None = None,
    ) -> Signer:
        """Build a signer from a PEM key file and a PEM chain file (leaf first)."""
        return cls(
            Path(key_path),
            load_chain_pem(chain_path),
            algorithm=algorithm,
            password=password,
            registry=registry,
        )

    @property
    def algorithm(self) -> str:
        """The algorithm name to put in the envelope next to the signature."""
        return self._scheme.name

    @property
    def chain_der(self) -> tuple[bytes, ...]:
        """The certificate chain to send with each message, leaf first, DER."""
        return self._chain

    def sign(self, data: bytes) -> bytes:
        """Sign exactly ``data`` (the bytes the receiver will verify)."""
        return self._scheme.sign(self._key, data)

    def derive_secret(self, label: bytes) -> bytes:
        """A 32-byte secret for ``label``, derived from the private key (HMAC-SHA-256 keyed
        by its PKCS#8 DER): the same in every process that holds this key, unknown to anyone
        who does not. The gateway's key for masking identifiers (``gateway.redaction``)."""
        der = self._key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return hmac.new(der, label, hashlib.sha256).digest()

    def _check_chain(self, source: str) -> None:
        if not self._chain:
            raise ConfigError(
                f"{source}: the signer has no certificate chain.",
                field=source,
                hint="Give the signing certificate (and its intermediates) with the key.",
            )
        try:
            leaf = x509.load_der_x509_certificate(self._chain[0])
            leaf_public = leaf.public_key().public_bytes(
                Encoding.DER, PublicFormat.SubjectPublicKeyInfo
            )
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ConfigError(
                f"{source}: the first certificate of the chain is not usable DER X.509 ({exc}).",
                field=source,
                hint="Pass the chain as DER bytes, leaf first (see load_chain_pem).",
            ) from exc
        own_public = self._key.public_key().public_bytes(
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
        if leaf_public != own_public:
            raise ConfigError(
                f"{source}: the key does not belong to the first certificate of the chain "
                f"({leaf.subject.rfc4514_string()}).",
                field=source,
                hint="Pair each key with its own certificate; the leaf must come first.",
            )


def _load_key(path: Path | str, password: bytes | None) -> PrivateKeyTypes:
    """Read a PEM private key; ConfigError naming the file when it cannot be used."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the private key {path}: {exc.strerror}.",
            field=str(path),
            hint="Check the path and that the gateway's user may read it.",
        ) from exc
    try:
        return load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a usable PEM private key, or its password is wrong ({exc}).",
            field=str(path),
            hint="Give an unencrypted PKCS#8 PEM key, or the right password.",
        ) from exc
