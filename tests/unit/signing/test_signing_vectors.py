"""The committed test vectors (tests/vectors/signing) give the outcome they claim."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import pytest

from gateway.signing import SignatureError, Verifier

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "signing"
CASES = sorted((VECTORS / "cases").glob("*.json"))
REQUIRED = {
    "valid-ecdsa-p256-sha256",
    "tampered-body",
    "wrong-key",
    "expired-certificate",
    "unknown-ca",
    "wrong-organisation",
    "revoked",
}


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier.from_paths([VECTORS / "ca.crt.pem"], [VECTORS / "crl.pem"])


def test_every_required_case_is_present():
    assert {path.stem for path in CASES} >= REQUIRED


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_vector(verifier, path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["case"] == path.stem
    try:
        signer = verifier.verify(
            base64.b64decode(case["data_b64"]),
            base64.b64decode(case["signature_b64"]),
            case["algorithm"],
            [base64.b64decode(der) for der in case["chain_der_b64"]],
            expected_org=case["expected_org"],
            signed_at=datetime.fromisoformat(case["signed_at"]),
            now=datetime.fromisoformat(case["now"]),
        )
    except SignatureError as exc:
        outcome = str(exc.reason)
    else:
        outcome = "valid"
        assert signer.org_code == case["expected_org"]
    assert outcome == case["expected"]
