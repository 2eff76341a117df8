"""Generate the delivery-seal test vector in tests/vectors/seal/ (run once; commit the output).

    python tests/vectors/make_seal_vectors.py [--force]

Built with plain ``cryptography`` and ``struct`` (not with gateway.envelope.seal) so the vector
is an independent statement of docs/wire-format.md §8. The gateway's Ed25519 key is derived
from a fixed seed and Ed25519 is deterministic, so the signing input, the signature and the
header depend only on the inputs and the certificate; the certificate is issued by the root
CA of tests/vectors/signing (the trust store), whose ECDSA signature is randomized, which is
why the generated files, not this script, are the reference.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
OUT = HERE / "seal"
CA = HERE / "signing"
GATEWAY_ORG = "999999999"
SEED = hashlib.sha256(b"uz.exchange delivery-seal test vector gateway key").digest()
LABEL = b"uz.exchange.delivery-seal/1"
TOPIC = "exchange.inbox.201234567"
MESSAGE_ID = "7f1c2d9e-0000-4000-8000-000000000001"
VALUE = "C3 01 then an Envelope: Ўзбекистон — seal test vector".encode()
NOW = "2026-03-01T10:00:00Z"


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def gateway_certificate(key: ed25519.Ed25519PrivateKey) -> x509.Certificate:
    ca_key = load_pem_private_key((CA / "keys" / "ca.key.pem").read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate((CA / "ca.crt.pem").read_bytes())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Exchange Gateway"),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, GATEWAY_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, "Exchange Gateway (seal vector)"),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(0x3001)
        .not_valid_before(day("2026-01-01"))
        .not_valid_after(day("2034-01-01"))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )


def lp(data: bytes) -> bytes:
    """A string with its length: 4 bytes big-endian, then the bytes."""
    return struct.pack(">I", len(data)) + data


def signing_input(topic: str, message_id: str, value: bytes) -> bytes:
    return lp(LABEL) + lp(topic.encode()) + lp(message_id.encode()) + hashlib.sha256(value).digest()


def header(algorithm: str, signature: bytes, chain: list[bytes]) -> bytes:
    out = b"\x01" + lp(algorithm.encode()) + lp(signature) + bytes((len(chain),))
    return out + b"".join(lp(der) for der in chain)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace the existing vector")
    args = parser.parse_args()
    if (OUT / "seal.json").exists() and not args.force:
        print(f"{OUT / 'seal.json'} exists; pass --force to regenerate.", file=sys.stderr)
        return 1
    key = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    cert = gateway_certificate(key)
    der = cert.public_bytes(Encoding.DER)
    data = signing_input(TOPIC, MESSAGE_ID, VALUE)
    signature = key.sign(data)
    vector = {
        "description": "A record the gateway delivered to inbox 201234567, sealed with Ed25519",
        "trust_store": "../signing/ca.crt.pem",
        "gateway_org": GATEWAY_ORG,
        "now": NOW,
        "topic": TOPIC,
        "message_id": MESSAGE_ID,
        "value_hex": VALUE.hex(),
        "value_sha256_hex": hashlib.sha256(VALUE).hexdigest(),
        "signing_input_hex": data.hex(),
        "algorithm": "ed25519",
        "signature_hex": signature.hex(),
        "chain_der_b64": [base64.b64encode(der).decode()],
        "header_name": "gateway.seal",
        "header_hex": header("ed25519", signature, [der]).hex(),
        "expected": "valid",
        "refused": [
            {"case": "another inbox", "topic": "exchange.inbox.201234568"},
            {"case": "another message id", "message_id": MESSAGE_ID[:-1] + "2"},
            {"case": "altered value", "value_hex": (VALUE + b"!").hex()},
            {"case": "another gateway code", "gateway_org": "999999998"},
        ],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "seal.json").write_text(json.dumps(vector, indent=2, ensure_ascii=False) + "\n")
    (OUT / "gateway.crt.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    (OUT / "gateway.key.pem").write_bytes(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
