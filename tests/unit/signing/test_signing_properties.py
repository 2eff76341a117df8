"""Property: flipping any single bit of the data or the signature is detected."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.signing import BadSignatureError, Signer
from tests.unit.signing.factory import ALGORITHMS, NOW, ORG, make_leaf

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def flip(value: bytes, bit: int) -> bytes:
    index, offset = divmod(bit % (len(value) * 8), 8)
    changed = bytearray(value)
    changed[index] ^= 1 << offset
    return bytes(changed)


@pytest.fixture(scope="module", params=ALGORITHMS)
def signer(request, root):
    issued = make_leaf(root, algorithm=request.param)
    return Signer(issued.key, [issued.der])


@PROPERTY
@given(data=st.binary(min_size=1, max_size=512), bit=st.integers(min_value=0))
def test_flipped_data_bit_is_detected(signer, verifier, data, bit):
    signature = signer.sign(data)
    args = (signer.algorithm, signer.chain_der)
    kw = {"expected_org": ORG, "signed_at": NOW}
    assert verifier.verify(data, signature, *args, **kw).org_code == ORG
    with pytest.raises(BadSignatureError):
        verifier.verify(flip(data, bit), signature, *args, **kw)


@PROPERTY
@given(data=st.binary(max_size=256), bit=st.integers(min_value=0))
def test_flipped_signature_bit_is_detected(signer, verifier, data, bit):
    signature = signer.sign(data)
    with pytest.raises(BadSignatureError):
        verifier.verify(
            data,
            flip(signature, bit),
            signer.algorithm,
            signer.chain_der,
            expected_org=ORG,
            signed_at=NOW,
        )
