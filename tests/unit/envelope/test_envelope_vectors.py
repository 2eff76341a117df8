"""The envelope conformance kit (tests/vectors/envelope) run against the gateway's codec.

The Java client runs the same files (clients/java, ``mvn -q test``); a format change that
forgets either language breaks its build.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.envelope import EnvelopeCodec
from gateway.envelope.signed import envelope_v2_signing_input, timestamp_millis
from gateway.exceptions import MessageError
from gateway.schemas import SchemaRegistry
from gateway.signing import Verifier

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
CASES = sorted((VECTORS / "envelope" / "cases").glob("*.json"))
KINDS = {"Request", "Response", "Refusal", "Cancellation", "Receipt", "Rejection", "Status"}


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    signing = VECTORS / "signing"
    return Verifier.from_paths([signing / "ca.crt.pem"], [signing / "crl.pem"])


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


def _case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_the_kit_covers_every_message_type_and_outcome() -> None:
    cases = [_case(path) for path in CASES]
    assert {case["kind"] for case in cases if case["expected"] == "valid"} >= KINDS
    outcomes = {case["expected"] for case in cases}
    assert outcomes >= {
        "valid",
        "bad_signature",
        "envelope_version_retired",
        "unknown_schema",
        "malformed_body",
        "malformed_envelope",
        "unsupported_algorithm",
        "certificate_expired",
        "certificate_revoked",
        "untrusted_certificate",
        "organisation_mismatch",
    }


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_envelope_vector(path: Path, verifier: Verifier, registry: SchemaRegistry) -> None:
    case = _case(path)
    codec = EnvelopeCodec(registry, v1_until=datetime.fromisoformat(case["v1_until"]))
    value = base64.b64decode(case["value_b64"])
    now = datetime.fromisoformat(case["now"])
    if case["expected"] == "valid":
        opened = codec.open(value, verifier, expected_org=case["expected_org"], now=now)
        assert opened.kind == case["kind"]
        assert opened.record["message_id"] == case["message_id"]
        return
    with pytest.raises(MessageError) as caught:
        codec.open(value, verifier, expected_org=case["expected_org"], now=now)
    assert caught.value.reason == case["expected"], caught.value.message


@pytest.mark.parametrize(
    "path", [p for p in CASES if "signed_input_b64" in _case(p)], ids=lambda p: p.stem
)
def test_the_documented_signed_input_is_the_one_in_the_vector(
    path: Path, registry: SchemaRegistry
) -> None:
    case = _case(path)
    envelope = EnvelopeCodec(registry).parse(base64.b64decode(case["value_b64"]))
    built = envelope_v2_signing_input(
        schema_fingerprint=envelope.schema_fingerprint,
        signature_algorithm=envelope.signature_algorithm,
        signed_at_ms=timestamp_millis(envelope.signed_at),
        leaf_certificate_der=envelope.certificate_chain[0],
        body_sha256=hashlib.sha256(envelope.body).digest(),
    )
    assert built == base64.b64decode(case["signed_input_b64"])
