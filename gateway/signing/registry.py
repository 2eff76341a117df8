"""The registry of signature algorithms: wire name -> :class:`SignatureAlgorithm`.

Signers and verifiers look algorithms up here. :data:`DEFAULT_REGISTRY` holds the built-in
algorithms, registered exactly as a national algorithm would be with :func:`register_algorithm`
(while the application is being built, before any message is verified).
"""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from gateway.signing.algorithms import EcdsaP256Sha256, Ed25519, RsaPssSha256, SignatureAlgorithm
from gateway.signing.exceptions import UnsupportedAlgorithmError

__all__ = ["DEFAULT_REGISTRY", "AlgorithmRegistry", "register_algorithm"]


class AlgorithmRegistry:
    """Maps wire names to :class:`SignatureAlgorithm` instances.

    Built by the application (or use :data:`DEFAULT_REGISTRY`); signers and verifiers look
    algorithms up here. Registration order matters for :meth:`for_private_key`: the first
    registered algorithm that accepts a key is that key's default.
    """

    def __init__(self, algorithms: tuple[SignatureAlgorithm, ...] = ()) -> None:
        self._by_name: dict[str, SignatureAlgorithm] = {}
        for algorithm in algorithms:
            self.register(algorithm)

    def register(self, algorithm: SignatureAlgorithm, *, replace: bool = False) -> None:
        """Add ``algorithm`` under its ``name``.

        Raises ``ValueError`` if the name is empty or already taken (unless ``replace``):
        silently shadowing an algorithm would change what signatures the gateway accepts.
        """
        name = getattr(algorithm, "name", "")
        if not isinstance(name, str) or not name or name != name.strip().lower():
            raise ValueError(
                f"Algorithm {algorithm!r} needs a non-empty lower-case 'name' attribute; "
                "set it on the class before registering."
            )
        if name in self._by_name and not replace:
            raise ValueError(
                f"Signature algorithm {name!r} is already registered; "
                "pass replace=True to substitute it deliberately."
            )
        self._by_name[name] = algorithm

    def get(self, name: str) -> SignatureAlgorithm:
        """Return the algorithm called ``name``.

        Raises :class:`UnsupportedAlgorithmError` when it is unknown, which rejects the message.
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise UnsupportedAlgorithmError(
                # not quoted: the name comes from the message, which may carry any text
                f"The signature algorithm named ({len(name)} characters) is not supported by "
                "this gateway.",
                hint=f"Sign with one of: {', '.join(self._by_name)}.",
            ) from None

    def for_private_key(self, key: PrivateKeyTypes) -> SignatureAlgorithm:
        """The default algorithm for ``key``: the first registered one that accepts it.

        Raises :class:`UnsupportedAlgorithmError` when no algorithm fits the key.
        """
        for algorithm in self._by_name.values():
            if algorithm.accepts_private_key(key):
                return algorithm
        raise UnsupportedAlgorithmError(
            f"No registered signature algorithm accepts a {type(key).__name__} key.",
            hint="Use an EC P-256, Ed25519 or RSA (>= 2048 bits) key.",
        )

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        return tuple(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[SignatureAlgorithm]:
        return iter(tuple(self._by_name.values()))


DEFAULT_REGISTRY = AlgorithmRegistry((EcdsaP256Sha256(), Ed25519(), RsaPssSha256()))
"""The registry used when a signer or verifier is not given one."""


def register_algorithm(algorithm: SignatureAlgorithm, *, replace: bool = False) -> None:
    """Add ``algorithm`` to :data:`DEFAULT_REGISTRY` (e.g. a national algorithm).

    Call it while the application is being built, before any message is verified.
    """
    DEFAULT_REGISTRY.register(algorithm, replace=replace)
