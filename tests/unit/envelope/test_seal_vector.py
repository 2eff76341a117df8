"""The committed delivery-seal vector (tests/vectors/seal) is what the gateway makes and checks."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.envelope import SEAL_HEADER, SealVerifier, decode_seal, seal_signing_input
from gateway.envelope.seal import Sealer
from gateway.exceptions import DeliverySealError
from gateway.reasons import Reason
from gateway.signing import Signer, Verifier, load_chain_pem

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "seal"
REFUSED = json.loads((VECTORS / "seal.json").read_text(encoding="utf-8"))["refused"]


@pytest.fixture(scope="module")
def vector() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "seal.json").read_text(encoding="utf-8"))
    return data


def _verifier(vector: dict[str, Any]) -> Verifier:
    return Verifier.from_paths([VECTORS / vector["trust_store"]])


def test_the_signing_input_is_the_documented_bytes(vector: dict[str, Any]) -> None:
    digest = bytes.fromhex(vector["value_sha256_hex"])
    data = seal_signing_input(vector["topic"], vector["message_id"], digest)
    assert data.hex() == vector["signing_input_hex"]
    assert data.startswith(bytes.fromhex("0000001b") + b"uz.exchange.delivery-seal/1")


def test_the_gateway_makes_exactly_the_vector_header(vector: dict[str, Any]) -> None:
    # Ed25519 is deterministic: the same key, topic, id and value give the same seal
    signer = Signer(VECTORS / "gateway.key.pem", load_chain_pem(VECTORS / "gateway.crt.pem"))
    assert signer.algorithm == vector["algorithm"]
    header = Sealer(signer).seal(
        vector["topic"], vector["message_id"], bytes.fromhex(vector["value_hex"])
    )
    assert header.hex() == vector["header_hex"]
    seal = decode_seal(header)
    assert seal.signature.hex() == vector["signature_hex"]
    assert list(seal.chain) == [base64.b64decode(c) for c in vector["chain_der_b64"]]
    assert vector["header_name"] == SEAL_HEADER


def test_the_vector_verifies(vector: dict[str, Any]) -> None:
    seals = SealVerifier(_verifier(vector), gateway_org=vector["gateway_org"])
    signer = seals.check(
        bytes.fromhex(vector["header_hex"]),
        topic=vector["topic"],
        message_id=vector["message_id"],
        value=bytes.fromhex(vector["value_hex"]),
        now=datetime.fromisoformat(vector["now"]),
    )
    assert signer.org_code == vector["gateway_org"]


@pytest.mark.parametrize("change", REFUSED, ids=[c["case"] for c in REFUSED])
def test_the_vector_refusals_are_refused(vector: dict[str, Any], change: dict[str, str]) -> None:
    read = {
        "topic": change.get("topic", vector["topic"]),
        "message_id": change.get("message_id", vector["message_id"]),
        "value": bytes.fromhex(change.get("value_hex", vector["value_hex"])),
    }
    seals = SealVerifier(
        _verifier(vector), gateway_org=change.get("gateway_org", vector["gateway_org"])
    )
    with pytest.raises(DeliverySealError) as caught:
        seals.check(
            bytes.fromhex(vector["header_hex"]), now=datetime.fromisoformat(vector["now"]), **read
        )
    assert caught.value.reason == Reason.NOT_DELIVERED_BY_GATEWAY
