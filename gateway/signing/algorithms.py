"""Signature algorithms, looked up by the name a message carries in its envelope.

A :class:`SignatureAlgorithm` turns bytes into a signature with a private key and checks one
with a public key. :mod:`gateway.signing.registry` maps the wire name (``"ecdsa-p256-sha256"``)
to an implementation; the built-in algorithms below are registered there the same way a
national algorithm would be added later with ``register_algorithm``.

Built-in algorithms and their exact encodings (other implementations must match them):

``ecdsa-p256-sha256`` (default)
    ECDSA over NIST P-256 (secp256r1) with SHA-256; the signature is the DER ``SEQUENCE {r, s}``
    (X9.62), as produced by OpenSSL and ``cryptography``, not the raw 64-byte ``r || s``.
``ed25519``
    Pure Ed25519 (RFC 8032) over the data itself; 64-byte signature.
``rsa-pss-sha256``
    RSASSA-PSS (RFC 8017) with SHA-256, MGF1 with SHA-256 and a salt length of 32 bytes (the
    digest length), trailer field 0xBC. A fixed salt length (rather than "maximum") lets Java
    (``SHA256withRSA/PSS`` with ``PSSParameterSpec("SHA-256", "MGF1", SHA256, 32, 1)``), Go
    (``rsa.PSSSaltLengthEqualsHash``) and .NET (``RSASignaturePadding.Pss``) verify it.
    Keys shorter than 2048 bits are refused.
"""

from __future__ import annotations

import abc

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificatePublicKeyTypes,
    PrivateKeyTypes,
)

__all__ = [
    "DEFAULT_ALGORITHM",
    "EcdsaP256Sha256",
    "Ed25519",
    "RsaPssSha256",
    "SignatureAlgorithm",
]

DEFAULT_ALGORITHM = "ecdsa-p256-sha256"
"""The algorithm used when a signer's key does not say otherwise."""

_MIN_RSA_BITS = 2048


def _wrong_key(algorithm: SignatureAlgorithm, key: object) -> str:
    return (
        f"{algorithm.name} cannot sign with a {type(key).__name__}; "
        "check accepts_private_key() before sign()."
    )


class SignatureAlgorithm(abc.ABC):
    """One signature algorithm: its wire name, which keys fit it, and sign/verify.

    Implementations must be stateless and thread-safe: one instance serves every message.
    ``verify`` is on the hot path and must return ``False`` (not raise) for any signature that
    does not verify, including malformed encodings.
    """

    name: str
    """The name carried in the envelope, e.g. ``"ecdsa-p256-sha256"``; lower-case, stable."""

    @abc.abstractmethod
    def accepts_private_key(self, key: PrivateKeyTypes) -> bool:
        """Whether ``key`` can sign with this algorithm (type, curve, size)."""

    @abc.abstractmethod
    def accepts_public_key(self, key: CertificatePublicKeyTypes) -> bool:
        """Whether a certificate's ``key`` can verify with this algorithm (type, curve, size)."""

    @abc.abstractmethod
    def sign(self, key: PrivateKeyTypes, data: bytes) -> bytes:
        """Sign ``data``; the caller has checked :meth:`accepts_private_key` first."""

    @abc.abstractmethod
    def verify(self, key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        """Return whether ``signature`` is valid over ``data``; ``False`` for malformed input."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class EcdsaP256Sha256(SignatureAlgorithm):
    """ECDSA on P-256 with SHA-256, DER-encoded signature (the default algorithm)."""

    name = "ecdsa-p256-sha256"
    _scheme = ec.ECDSA(hashes.SHA256())

    def accepts_private_key(self, key: PrivateKeyTypes) -> bool:
        return isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)

    def accepts_public_key(self, key: CertificatePublicKeyTypes) -> bool:
        return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)

    def sign(self, key: PrivateKeyTypes, data: bytes) -> bytes:
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError(_wrong_key(self, key))
        return key.sign(data, self._scheme)

    def verify(self, key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        try:
            key.verify(signature, data, self._scheme)
        except (InvalidSignature, ValueError):
            return False
        return True


class Ed25519(SignatureAlgorithm):
    """Pure Ed25519 (RFC 8032); deterministic 64-byte signatures."""

    name = "ed25519"

    def accepts_private_key(self, key: PrivateKeyTypes) -> bool:
        return isinstance(key, ed25519.Ed25519PrivateKey)

    def accepts_public_key(self, key: CertificatePublicKeyTypes) -> bool:
        return isinstance(key, ed25519.Ed25519PublicKey)

    def sign(self, key: PrivateKeyTypes, data: bytes) -> bytes:
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise TypeError(_wrong_key(self, key))
        return key.sign(data)

    def verify(self, key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        if not isinstance(key, ed25519.Ed25519PublicKey):
            return False
        try:
            key.verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True


class RsaPssSha256(SignatureAlgorithm):
    """RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32 bytes; keys of 2048 bits or more."""

    name = "rsa-pss-sha256"
    _padding = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    _hash = hashes.SHA256()

    def accepts_private_key(self, key: PrivateKeyTypes) -> bool:
        return isinstance(key, rsa.RSAPrivateKey) and key.key_size >= _MIN_RSA_BITS

    def accepts_public_key(self, key: CertificatePublicKeyTypes) -> bool:
        return isinstance(key, rsa.RSAPublicKey) and key.key_size >= _MIN_RSA_BITS

    def sign(self, key: PrivateKeyTypes, data: bytes) -> bytes:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError(_wrong_key(self, key))
        return key.sign(data, self._padding, self._hash)

    def verify(self, key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        try:
            key.verify(signature, data, self._padding, self._hash)
        except (InvalidSignature, ValueError):
            return False
        return True
