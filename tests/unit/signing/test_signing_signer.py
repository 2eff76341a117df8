"""Building a Signer: key and chain checks at start-up, default algorithm per key type."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from gateway.exceptions import ConfigError
from gateway.reasons import Reason
from gateway.signing import Signer, load_chain_pem
from tests.unit.signing.factory import ALGORITHMS, NOW, ORG, make_leaf, new_key


def write_key(path, key, password=None):
    encryption = BestAvailableEncryption(password) if password else NoEncryption()
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption))
    return path


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_algorithm_follows_the_key(root, verifier, algorithm):
    issued = make_leaf(root, algorithm=algorithm)
    signer = Signer(issued.key, [issued.der])
    assert signer.algorithm == algorithm
    assert signer.chain_der == (issued.der,)
    signature = signer.sign(b"data")
    assert verifier.verify(
        b"data", signature, signer.algorithm, signer.chain_der, expected_org=ORG, signed_at=NOW
    )


def test_from_files(tmp_path, root, leaf):
    key_path = write_key(tmp_path / "key.pem", leaf.key)
    chain_path = tmp_path / "chain.pem"
    chain_path.write_bytes(leaf.pem + root.pem)
    signer = Signer.from_files(key_path, chain_path)
    assert signer.chain_der == (leaf.der, root.der)
    assert load_chain_pem(chain_path) == [leaf.der, root.der]


def test_encrypted_key_with_password(tmp_path, leaf):
    key_path = write_key(tmp_path / "key.pem", leaf.key, b"secret")
    assert Signer(key_path, [leaf.der], password=b"secret").algorithm == "ecdsa-p256-sha256"
    with pytest.raises(ConfigError, match=r"key\.pem"):
        Signer(key_path, [leaf.der], password=b"wrong")


def test_key_that_is_not_the_leafs(root, leaf):
    with pytest.raises(ConfigError, match="does not belong"):
        Signer(new_key(), [leaf.der])


def test_explicit_algorithm_that_does_not_fit_the_key(leaf):
    with pytest.raises(ConfigError) as info:
        Signer(leaf.key, [leaf.der], algorithm="ed25519")
    assert info.value.reason == Reason.UNSUPPORTED_ALGORITHM


def test_unknown_algorithm(leaf):
    with pytest.raises(ConfigError) as info:
        Signer(leaf.key, [leaf.der], algorithm="sm2")
    assert info.value.reason == Reason.UNSUPPORTED_ALGORITHM


def test_missing_or_broken_files(tmp_path, leaf):
    with pytest.raises(ConfigError, match=r"missing\.pem"):
        Signer(tmp_path / "missing.pem", [leaf.der])
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    with pytest.raises(ConfigError, match=r"broken\.pem"):
        Signer(broken, [leaf.der])
    with pytest.raises(ConfigError, match="chain"):
        Signer(leaf.key, [])
    with pytest.raises(ConfigError, match="DER"):
        Signer(leaf.key, [b"junk"])
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    with pytest.raises(ConfigError, match=r"empty\.pem"):
        load_chain_pem(empty)
    with pytest.raises(ConfigError):
        load_chain_pem(tmp_path)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_derived_secret_depends_on_the_key_and_the_label_only(root, algorithm):
    issued = make_leaf(root, algorithm=algorithm)
    signer = Signer(issued.key, [issued.der])
    secret = signer.derive_secret(b"uz.exchange.mask/1")
    assert len(secret) == 32
    assert Signer(issued.key, [issued.der]).derive_secret(b"uz.exchange.mask/1") == secret
    assert signer.derive_secret(b"another label") != secret
    # another key (of another type: the factory reuses one RSA key to save time)
    other = make_leaf(root, algorithm="ed25519" if algorithm != "ed25519" else "ecdsa-p256-sha256")
    assert Signer(other.key, [other.der]).derive_secret(b"uz.exchange.mask/1") != secret
