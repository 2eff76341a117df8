"""Generate the envelope conformance kit in tests/vectors/envelope/ (run once; commit the output).

    python tests/vectors/make_envelope_vectors.py [--force]

Every case is a complete Kafka record value (an Envelope, single-object encoded) with what a
verifier needs besides it (the trust store and CRL of tests/vectors/signing, the expected
organisation, the moment of verification, the end of the v1 transition) and the outcome it
must reach. The Avro bytes are written with the registry (plain Avro); the envelope's signed
input is built here with ``struct`` from docs/wire-format.md §7, not with gateway.envelope, so
the kit is an independent statement of the document. ECDSA and RSA-PSS signatures are
randomized: the generated files, not this script, are the reference.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import struct
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key

from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import (
    sample_cancellation,
    sample_receipt,
    sample_refusal,
    sample_rejection,
    sample_request,
    sample_response,
    sample_status,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "envelope"
SIGNING = HERE / "signing"
ORG = "201234567"
OTHER_ORG = "301234568"
GATEWAY_ORG = "999999999"
SIGNED_AT = datetime(2026, 3, 1, 9, 59, 30, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
V1_UNTIL = datetime(2027, 7, 1, tzinfo=UTC)
LABEL = b"uz.exchange.envelope/2"
REGISTRY = SchemaRegistry.load()
SENDER = {"code": ORG, "name": "Body 201234567"}
OTHER = {"code": "202345678", "name": "Body 202345678"}


def key(path: Path) -> Any:
    return load_pem_private_key(path.read_bytes(), None)


def der(path: Path) -> bytes:
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(Encoding.DER)


def sign(algorithm: str, private: Any, data: bytes) -> bytes:
    if algorithm == "ecdsa-p256-sha256":
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        return private.sign(data, ec.ECDSA(hashes.SHA256()))
    if algorithm == "ed25519":
        assert isinstance(private, ed25519.Ed25519PrivateKey)
        return private.sign(data)
    assert isinstance(private, rsa.RSAPrivateKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return private.sign(data, pss, hashes.SHA256())


def millis(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def v2_input(
    fingerprint: bytes, algorithm: str, signed_at: datetime, leaf: bytes, body: bytes
) -> bytes:
    alg = algorithm.encode("ascii")
    return (
        struct.pack(">I", len(LABEL)) + LABEL + fingerprint + struct.pack(">I", len(alg)) + alg
        + struct.pack(">q", millis(signed_at)) + hashlib.sha256(leaf).digest()
        + hashlib.sha256(body).digest()
    )  # fmt: skip


def envelope(
    kind: str,
    record: dict[str, Any],
    algorithm: str,
    private: Any,
    chain: list[bytes],
    *,
    version: int = 2,
    signed_at: datetime = SIGNED_AT,
    body: bytes | None = None,
    after: dict[str, Any] | None = None,
) -> tuple[bytes, bytes]:
    """The record value and its signed input; ``after`` changes fields once it is signed."""
    body = REGISTRY.encode(kind, record) if body is None else body
    fingerprint = REGISTRY.fingerprint(kind)
    signed = v2_input(fingerprint, algorithm, signed_at, chain[0], body) if version == 2 else body
    fields: dict[str, Any] = {
        "version": version,
        "body": body,
        "schema_fingerprint": fingerprint,
        "signature_algorithm": algorithm,
        "signature": sign(algorithm, private, signed),
        "signed_at": signed_at,
        "certificate_chain": chain,
    }
    fields.update(after or {})
    return REGISTRY.encode_single("Envelope", fields), signed


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def main() -> int:  # noqa: PLR0915 -- one flat list of cases reads best
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace existing vectors")
    args = parser.parse_args()
    if (OUT / "cases").exists() and not args.force:
        print(f"{OUT / 'cases'} exists; pass --force to regenerate.", file=sys.stderr)
        return 1
    shutil.rmtree(OUT / "cases", ignore_errors=True)
    (OUT / "cases").mkdir(parents=True)
    keys, certs = SIGNING / "keys", SIGNING / "certs"
    ecdsa, ecdsa_leaf = key(keys / "body-ecdsa.key.pem"), der(certs / "body-ecdsa.crt.pem")
    eddsa, eddsa_leaf = key(keys / "body-ed25519.key.pem"), der(certs / "body-ed25519.crt.pem")
    rsa_key, rsa_leaf = key(keys / "body-rsa.key.pem"), der(certs / "body-rsa.crt.pem")
    gateway, gateway_leaf = (
        key(HERE / "seal" / "gateway.key.pem"),
        der(HERE / "seal" / "gateway.crt.pem"),
    )
    expired, expired_leaf = key(keys / "expired.key.pem"), der(certs / "expired.crt.pem")
    revoked, revoked_leaf = key(keys / "revoked.key.pem"), der(certs / "revoked.crt.pem")
    untrusted, untrusted_leaf = key(keys / "untrusted.key.pem"), der(certs / "untrusted.crt.pem")
    stranger_root = der(SIGNING / "unknown-ca.crt.pem")
    # the same key and organisation as body-ecdsa, another certificate: only the chain differs
    ca_key = key(keys / "ca.key.pem")
    ca_cert = x509.load_pem_x509_certificate((SIGNING / "ca.crt.pem").read_bytes())
    original = x509.load_der_x509_certificate(ecdsa_leaf)
    twin = (
        x509.CertificateBuilder()
        .subject_name(original.subject)
        .issuer_name(ca_cert.subject)
        .public_key(original.public_key())
        .serial_number(0x1007)
        .not_valid_before(original.not_valid_before_utc)
        .not_valid_after(original.not_valid_after_utc)
    )
    for extension in original.extensions:
        twin = twin.add_extension(extension.value, extension.critical)
    twin_leaf = twin.sign(ca_key, hashes.SHA256()).public_bytes(Encoding.DER)

    at = {"sent_at": SIGNED_AT}
    request = sample_request(sender=SENDER, recipient=OTHER, **at)
    body_types = {
        "Request": request,
        "Response": sample_response(sender=SENDER, recipient=OTHER, **at),
        "Refusal": sample_refusal(sender=SENDER, recipient=OTHER, **at),
        "Cancellation": sample_cancellation(sender=SENDER, recipient=OTHER, **at),
    }
    gateway_types = {
        "Receipt": sample_receipt(),
        "Rejection": sample_rejection(),
        "Status": sample_status(),
    }
    ec_alg = "ecdsa-p256-sha256"
    cases: list[tuple[str, str, bytes, dict[str, Any]]] = []

    def add(name: str, description: str, value: bytes, **expect: Any) -> None:
        cases.append((name, description, value, expect))

    for kind, record in body_types.items():
        value, _ = envelope(kind, record, ec_alg, ecdsa, [ecdsa_leaf])
        add(f"v2-{kind.lower()}", f"A {kind} signed by body {ORG}, ECDSA P-256", value,
            expected="valid", kind=kind, message_id=record["message_id"])  # fmt: skip
    value, signed = envelope("Request", request, "ed25519", eddsa, [eddsa_leaf])
    add("v2-request-ed25519", "A Request signed with Ed25519", value, expected="valid",
        kind="Request", message_id=request["message_id"], signed_input_b64=b64(signed))  # fmt: skip
    value, _ = envelope("Request", request, "rsa-pss-sha256", rsa_key, [rsa_leaf])
    add("v2-request-rsa-pss", "A Request signed with RSA-PSS (salt 32)", value,
        expected="valid", kind="Request", message_id=request["message_id"])  # fmt: skip
    value, _ = envelope(
        "Request", request, ec_alg, ecdsa, [ecdsa_leaf, der(SIGNING / "ca.crt.pem")]
    )
    add("v2-chain-with-root", "The chain includes the root CA", value, expected="valid",
        kind="Request", message_id=request["message_id"])  # fmt: skip
    for kind, record in gateway_types.items():
        value, signed = envelope(kind, record, "ed25519", gateway, [gateway_leaf])
        add(f"v2-{kind.lower()}", f"The gateway's {kind} (Ed25519, deterministic)", value,
            expected="valid", kind=kind, message_id=record["message_id"],
            expected_org=GATEWAY_ORG, signed_input_b64=b64(signed))  # fmt: skip

    # version 1 and the transition
    value, _ = envelope("Request", request, "ed25519", eddsa, [eddsa_leaf], version=1)
    add("v1-request", "Version 1 (only the body signed), before the end of the transition",
        value, expected="valid", kind="Request", message_id=request["message_id"])  # fmt: skip
    add("v1-request-retired", "The same version-1 envelope at the end of the transition", value,
        expected="envelope_version_retired", now=V1_UNTIL)  # fmt: skip
    moved = {"signed_at": SIGNED_AT + timedelta(hours=1)}
    value, _ = envelope("Request", request, "ed25519", eddsa, [eddsa_leaf], version=1, after=moved)
    add("v1-signed-at-changed", "Version 1 does not sign signed_at: a changed one still verifies",
        value, expected="valid", kind="Request", message_id=request["message_id"])  # fmt: skip

    # every verified value of a version-2 envelope changed after signing
    def tampered(name: str, description: str, expected: str, **after: Any) -> None:
        value, _ = envelope("Request", request, ec_alg, ecdsa, [ecdsa_leaf], after=after)
        add(name, description, value, expected=expected)

    tampered("v2-signed-at-changed", "signed_at moved by 1 ms after signing", "bad_signature",
             signed_at=SIGNED_AT + timedelta(milliseconds=1))  # fmt: skip
    tampered("v2-certificate-swapped",
             "Another certificate of the same key and organisation (serial 0x1007)",
             "bad_signature", certificate_chain=[twin_leaf])  # fmt: skip
    tampered("v2-downgraded-to-v1", "version set to 1: the signature is not over the body alone",
             "bad_signature", version=1)  # fmt: skip
    body = REGISTRY.encode("Request", request)
    changed = body.replace(b"Karimova", b"Karimovb", 1)
    assert changed != body
    tampered("v2-body-changed", "One character of a string in the body changed", "bad_signature",
             body=changed)  # fmt: skip
    tampered("v2-fingerprint-unknown", "schema_fingerprint names no known schema",
             "unknown_schema", schema_fingerprint=bytes(8))  # fmt: skip
    tampered("v2-fingerprint-relabelled", "schema_fingerprint names Response v1 instead",
             "malformed_body", schema_fingerprint=REGISTRY.fingerprint("Response"))  # fmt: skip
    tampered("v2-algorithm-changed", "signature_algorithm says ed25519, the key is P-256",
             "unsupported_algorithm", signature_algorithm="ed25519")  # fmt: skip
    tampered("v2-algorithm-unknown", "signature_algorithm names no known algorithm",
             "unsupported_algorithm", signature_algorithm="gost-2012-256")  # fmt: skip
    tampered("v2-unknown-version", "version 3", "malformed_envelope", version=3)
    value, _ = envelope("Request", request, ec_alg, ecdsa, [ecdsa_leaf], body=body + b"\x00")
    add("v2-trailing-bytes", "Signed, but one byte follows the end of the Request record",
        value, expected="malformed_body")  # fmt: skip

    # certificates
    value, _ = envelope("Request", request, ec_alg, expired, [expired_leaf])
    add("v2-expired", "Certificate expired 2025-06-01", value, expected="certificate_expired")
    value, _ = envelope("Request", request, ec_alg, revoked, [revoked_leaf])
    add("v2-revoked", "Certificate serial 0x1006 is in crl.pem", value,
        expected="certificate_revoked")  # fmt: skip
    value, _ = envelope("Request", request, ec_alg, untrusted, [untrusted_leaf, stranger_root])
    add("v2-untrusted", "Issued by a CA outside the trust store", value,
        expected="untrusted_certificate")  # fmt: skip
    other_sender = sample_request(
        sender={"code": OTHER_ORG, "name": "Other"}, recipient=OTHER, **at
    )
    value, _ = envelope("Request", other_sender, ec_alg, ecdsa, [ecdsa_leaf])
    add("v2-organisation-mismatch", f"sender.code {OTHER_ORG}, certificate of {ORG}", value,
        expected="organisation_mismatch")  # fmt: skip
    value, _ = envelope("Receipt", sample_receipt(), ec_alg, ecdsa, [ecdsa_leaf])
    add("v2-receipt-not-by-gateway", "A Receipt signed by a body, not the gateway", value,
        expected="organisation_mismatch", expected_org=GATEWAY_ORG)  # fmt: skip

    index = []
    for name, description, value, expect in cases:
        expected = expect.pop("expected")
        now = expect.pop("now", NOW)
        data = {
            "case": name,
            "description": description,
            "value_b64": b64(value),
            "expected_org": expect.pop("expected_org", None),
            "now": now.isoformat().replace("+00:00", "Z"),
            "v1_until": V1_UNTIL.isoformat().replace("+00:00", "Z"),
            "expected": expected,
            **expect,
        }
        (OUT / "cases" / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
        index.append(name)
    print(f"wrote {len(index)} cases to {OUT / 'cases'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
