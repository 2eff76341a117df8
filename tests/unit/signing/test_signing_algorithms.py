"""The algorithm registry, the built-in algorithms' encodings, and registering a new one."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from gateway.signing import (
    DEFAULT_ALGORITHM,
    DEFAULT_REGISTRY,
    AlgorithmRegistry,
    BadSignatureError,
    SignatureAlgorithm,
    Signer,
    UnsupportedAlgorithmError,
)
from gateway.signing.algorithms import EcdsaP256Sha256, Ed25519, RsaPssSha256
from tests.unit.signing.factory import (
    ALGORITHMS,
    NOW,
    ORG,
    body_name,
    make_cert,
    make_verifier,
    new_key,
)

DATA = b"interagency request"


def test_default_algorithm_is_ecdsa_p256():
    assert DEFAULT_ALGORITHM == "ecdsa-p256-sha256"
    assert DEFAULT_REGISTRY.names() == ALGORITHMS


def test_unknown_algorithm_names_the_supported_ones():
    with pytest.raises(UnsupportedAlgorithmError) as info:
        DEFAULT_REGISTRY.get("rsa-pkcs1-sha1")
    assert "ed25519" in str(info.value)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_signs_and_verifies(algorithm):
    scheme = DEFAULT_REGISTRY.get(algorithm)
    key = new_key(algorithm)
    assert scheme.accepts_private_key(key)
    assert DEFAULT_REGISTRY.for_private_key(key) is scheme
    signature = scheme.sign(key, DATA)
    assert scheme.verify(key.public_key(), signature, DATA)
    assert not scheme.verify(key.public_key(), signature, DATA + b"!")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_algorithms_refuse_keys_of_other_types(algorithm):
    scheme = DEFAULT_REGISTRY.get(algorithm)
    for other in ALGORITHMS:
        if other != algorithm:
            key = new_key(other)
            assert not scheme.accepts_private_key(key)
            assert not scheme.accepts_public_key(key.public_key())
            assert not scheme.verify(key.public_key(), b"sig", DATA)
            with pytest.raises(TypeError):
                scheme.sign(key, DATA)


def test_ecdsa_signature_is_der_encoded():
    key = new_key("ecdsa-p256-sha256")
    signature = EcdsaP256Sha256().sign(key, DATA)
    r, s = utils.decode_dss_signature(signature)
    assert utils.encode_dss_signature(r, s) == signature


def test_ed25519_is_deterministic_and_64_bytes():
    key = new_key("ed25519")
    assert Ed25519().sign(key, DATA) == Ed25519().sign(key, DATA)
    assert len(Ed25519().sign(key, DATA)) == 64


def test_rsa_pss_uses_sha256_mgf1_and_salt_32():
    key = new_key("rsa-pss-sha256")
    signature = RsaPssSha256().sign(key, DATA)
    exact = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    key.public_key().verify(signature, DATA, exact, hashes.SHA256())
    wrong_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, DATA, wrong_salt, hashes.SHA256())


def test_registry_refuses_duplicates_and_nameless_algorithms():
    registry = AlgorithmRegistry((Ed25519(),))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Ed25519())
    registry.register(Ed25519(), replace=True)
    nameless = Ed25519()
    nameless.name = ""
    with pytest.raises(ValueError, match="name"):
        registry.register(nameless)


def test_no_algorithm_for_the_key():
    registry = AlgorithmRegistry((Ed25519(),))
    with pytest.raises(UnsupportedAlgorithmError):
        registry.for_private_key(new_key("ecdsa-p256-sha256"))


class EcdsaP384Sha384(SignatureAlgorithm):
    """A stand-in for a national algorithm registered by the application."""

    name = "ecdsa-p384-sha384"
    scheme = ec.ECDSA(hashes.SHA384())

    def accepts_private_key(self, key):
        return isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1"

    def accepts_public_key(self, key):
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"

    def sign(self, key, data):
        return key.sign(data, self.scheme)

    def verify(self, key, signature, data):
        key.verify(signature, data, self.scheme)  # raises on failure: the verifier copes
        return True


def test_registered_algorithm_signs_and_verifies_end_to_end(root):
    registry = AlgorithmRegistry((EcdsaP256Sha256(), EcdsaP384Sha384()))
    issued = make_cert(body_name(), ec.generate_private_key(ec.SECP384R1()), issuer=root)
    signer = Signer(issued.key, [issued.der], registry=registry)
    assert signer.algorithm == "ecdsa-p384-sha384"
    verifier = make_verifier(root, registry=registry)
    signature = signer.sign(DATA)
    kw = {"expected_org": ORG, "signed_at": NOW}
    assert verifier.verify(DATA, signature, signer.algorithm, signer.chain_der, **kw)
    with pytest.raises(BadSignatureError):
        verifier.verify(DATA + b"x", signature, signer.algorithm, signer.chain_der, **kw)
    with pytest.raises(UnsupportedAlgorithmError):  # not in the default registry
        make_verifier(root).verify(DATA, signature, signer.algorithm, signer.chain_der, **kw)
