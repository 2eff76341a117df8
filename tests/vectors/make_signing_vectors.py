"""Generate the signing test vectors in tests/vectors/signing/ (run once; commit the output).

    python tests/vectors/make_signing_vectors.py [--force]

Built with plain ``cryptography`` (not with gateway.signing) so the vectors are an independent
statement of the wire format. Keys are reused when their files exist, so regenerating with
``--force`` keeps the key material; certificates and ECDSA signatures change (ECDSA is
randomized), which is why the generated files, not this script, are the reference.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from cryptography.x509.oid import NameOID

OUT = Path(__file__).resolve().parent / "signing"
ORG = "201234567"
OTHER_ORG = "301234568"
NOW = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)
SIGNED_AT = datetime(2026, 3, 1, 9, 59, 30, tzinfo=UTC)
DATA = (
    '{"service":"S-0001","request_id":"7f1c2d9e-0000-4000-8000-000000000001",'
    '"note":"Ўзбекистон — test vector"}'
).encode()


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Signed:
    key: object
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def load_or_make_key(name: str, kind: str):
    path = OUT / "keys" / f"{name}.key.pem"
    if path.exists():
        return load_pem_private_key(path.read_bytes(), password=None)
    if kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    elif kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key


def usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def certificate(subject, key, issuer: Signed | None, serial: int, *, start, end, ca):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(day(start))
        .not_valid_after(day(end))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage(ca=ca), critical=True)
    )
    signer = issuer.key if issuer else key
    return Signed(key, builder.sign(signer, hashes.SHA256()))


def ca(name: str, common_name: str, serial: int) -> Signed:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    key = load_or_make_key(name, "ec")
    return certificate(subject, key, None, serial, start="2025-01-01", end="2035-01-01", ca=True)


def body(name, issuer, org, serial, *, kind="ec", start="2025-01-01", end="2028-01-01"):
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Body {org}"),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Body {org}"),
        ]
    )
    key = load_or_make_key(name, kind)
    return certificate(subject, key, issuer, serial, start=start, end=end, ca=False)


def sign(algorithm: str, key, data: bytes) -> bytes:
    if algorithm == "ecdsa-p256-sha256":
        return key.sign(data, ec.ECDSA(hashes.SHA256()))  # DER SEQUENCE {r, s}
    if algorithm == "ed25519":
        return key.sign(data)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return key.sign(data, pss, hashes.SHA256())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def case(name, description, algorithm, data, signature, *, chain, expected, **overrides):
    record = {
        "case": name,
        "description": description,
        "algorithm": algorithm,
        "data_b64": b64(data),
        "signature_b64": b64(signature),
        "chain_der_b64": [b64(c.der) for c in chain],
        "expected_org": overrides.get("expected_org", ORG),
        "signed_at": overrides.get("signed_at", SIGNED_AT).isoformat().replace("+00:00", "Z"),
        "now": NOW.isoformat().replace("+00:00", "Z"),
        "expected": expected,
    }
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    write(OUT / "cases" / f"{name}.json", text.encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace existing vectors")
    args = parser.parse_args()
    if (OUT / "cases").exists() and not args.force:
        print(f"{OUT / 'cases'} exists; pass --force to regenerate.", file=sys.stderr)
        return 1
    root = ca("ca", "Test Vectors Root CA", 0x01)
    stranger = ca("unknown-ca", "Unknown Root CA", 0x02)
    ecdsa = body("body-ecdsa", root, ORG, 0x1001)
    eddsa = body("body-ed25519", root, ORG, 0x1002, kind="ed25519")
    rsa_pss = body("body-rsa", root, ORG, 0x1003, kind="rsa")
    other = body("other-body", root, OTHER_ORG, 0x1004)
    expired = body("expired", root, ORG, 0x1005, start="2024-01-01", end="2025-06-01")
    revoked = body("revoked", root, ORG, 0x1006)
    untrusted = body("untrusted", stranger, ORG, 0x2001)
    write(OUT / "ca.crt.pem", root.cert.public_bytes(Encoding.PEM))
    write(OUT / "unknown-ca.crt.pem", stranger.cert.public_bytes(Encoding.PEM))
    for name, signed in {
        "body-ecdsa": ecdsa, "body-ed25519": eddsa, "body-rsa": rsa_pss, "other-body": other,
        "expired": expired, "revoked": revoked, "untrusted": untrusted,
    }.items():  # fmt: skip
        write(OUT / "certs" / f"{name}.crt.pem", signed.cert.public_bytes(Encoding.PEM))
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.cert.subject)
        .last_update(day("2026-01-01"))
        .next_update(day("2036-01-01"))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(revoked.cert.serial_number)
            .revocation_date(day("2026-02-01"))
            .build()
        )
        .sign(root.key, hashes.SHA256())
    )
    write(OUT / "crl.pem", crl.public_bytes(Encoding.PEM))

    ec_alg = "ecdsa-p256-sha256"
    good = sign(ec_alg, ecdsa.key, DATA)
    cases = [
        ("valid-ecdsa-p256-sha256", "ECDSA P-256 signature, leaf only",
         ec_alg, DATA, good, [ecdsa], "valid", {}),
        ("valid-ed25519", "Ed25519 signature",
         "ed25519", DATA, sign("ed25519", eddsa.key, DATA), [eddsa], "valid", {}),
        ("valid-rsa-pss-sha256", "RSA-PSS, SHA-256, MGF1-SHA-256, salt 32", "rsa-pss-sha256",
         DATA, sign("rsa-pss-sha256", rsa_pss.key, DATA), [rsa_pss], "valid", {}),
        ("valid-chain-with-root", "Chain sent with the root CA included",
         ec_alg, DATA, good, [ecdsa, root], "valid", {}),
        ("tampered-body", "One byte of the data changed after signing",
         ec_alg, DATA.replace(b"S-0001", b"S-0002"), good, [ecdsa], "bad_signature", {}),
        ("wrong-key", "Signed by another body's key, sent with this body's chain",
         ec_alg, DATA, sign(ec_alg, other.key, DATA), [ecdsa], "bad_signature", {}),
        ("expired-certificate", "Leaf expired 2025-06-01; signed while valid, verified after",
         ec_alg, DATA, sign(ec_alg, expired.key, DATA), [expired], "certificate_expired",
         {"signed_at": day("2025-05-01")}),
        ("unknown-ca", "Leaf (and root) from a CA outside the trust store",
         ec_alg, DATA, sign(ec_alg, untrusted.key, DATA), [untrusted, stranger],
         "untrusted_certificate", {}),
        ("wrong-organisation", "Valid signature, but the sender claims another STIR",
         ec_alg, DATA, good, [ecdsa], "organisation_mismatch", {"expected_org": OTHER_ORG}),
        ("revoked", "Leaf serial 0x1006 is listed in crl.pem",
         ec_alg, DATA, sign(ec_alg, revoked.key, DATA), [revoked], "certificate_revoked", {}),
        ("unsupported-algorithm", "Algorithm name not known to the gateway",
         "gost-2012-256", DATA, good, [ecdsa], "unsupported_algorithm", {}),
        ("algorithm-key-mismatch", "Envelope says ed25519 but the leaf key is P-256",
         "ed25519", DATA, good, [ecdsa], "unsupported_algorithm", {}),
    ]  # fmt: skip
    for name, description, algorithm, data, signature, chain, expected, extra in cases:
        case(name, description, algorithm, data, signature, chain=chain, expected=expected, **extra)
    print(f"wrote vectors to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
