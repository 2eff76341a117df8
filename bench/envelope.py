"""Signed-envelope rates per algorithm, next to the raw cryptography primitive, in one run.

    python -m bench.envelope [--seconds 2]

Prints, per algorithm: seal (encode + sign) per second, open (verify + decode) per second,
the raw verify rate of the primitive alone on the same body bytes, and open/raw: the median
of the ratios of rounds that take turns (one round: seal, open, raw), with their range. The raw
verify is the floor of the cost; the gap is our overhead (Avro decode of the envelope and
body, chain cache look-up, time checks, revocation look-up).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from gateway.envelope import EnvelopeCodec
from gateway.schemas import SchemaRegistry
from gateway.schemas.samples import sample_request
from gateway.signing import Signer, Verifier, init_pki

ORG = "201234567"
ROUNDS = 15


def one_round(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    n, start = 0, time.perf_counter()
    end = start + seconds
    while True:
        for _ in range(50):
            fn()
        n += 50
        now = time.perf_counter()
        if now >= end:
            return n / (now - start)


def rates(
    fns: dict[str, Callable[[], object]], seconds: float, rounds: int = ROUNDS
) -> dict[str, list[float]]:
    """The rate of each of ``fns`` in each of ``rounds`` rounds that take turns.

    Taking turns (open, raw, open, raw, ...) exposes the figures of one round to the same
    moments of a noisy machine, so the ratio of two figures of the same round is fair even
    when the absolute rates drift between rounds.
    """
    found: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            found[name].append(one_round(fn, seconds / rounds))
    return found


def raw_verify(key_path: Path, body: bytes, algorithm: str) -> Callable[[], object]:
    """The primitive alone: verify one signature over ``body``, every object built once."""
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    if algorithm == "ecdsa-p256-sha256":
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        ec_public, scheme = key.public_key(), ec.ECDSA(hashes.SHA256())
        ec_sig = key.sign(body, scheme)
        return lambda: ec_public.verify(ec_sig, body, scheme)
    if algorithm == "ed25519":
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        ed_public, ed_sig = key.public_key(), key.sign(body)
        return lambda: ed_public.verify(ed_sig, body)
    assert isinstance(key, rsa.RSAPrivateKey)
    pss, sha256 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    rsa_public, rsa_sig = key.public_key(), key.sign(body, pss, sha256)
    return lambda: rsa_public.verify(rsa_sig, body, pss, sha256)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    args = parser.parse_args()
    registry = SchemaRegistry.load()
    codec = EnvelopeCodec(registry)
    now = datetime.now(UTC)
    record = sample_request(sent_at=now)
    body = registry.encode("Request", record)
    print(
        f"Request body {len(body)} bytes; {args.seconds:.0f} s per figure in {ROUNDS} rounds "
        "taken in turns; rates are medians, open/raw is the median of each round's ratio "
        "(and its range)"
    )
    print(
        f"{'algorithm':<20}{'seal/s':>10}{'open/s':>10}{'raw verify/s':>14}{'open/raw':>10}"
        f"{'range':>12}"
    )
    for algorithm in ("ecdsa-p256-sha256", "ed25519", "rsa-pss-sha256"):
        found = measure(codec, record, now, algorithm, args.seconds)
        ratios = sorted(o / r for o, r in zip(found["open"], found["raw"], strict=True))
        spread = f"{ratios[0]:.0%}-{ratios[-1]:.0%}"
        print(
            f"{algorithm:<20}{median(found['seal']):>10.0f}{median(found['open']):>10.0f}"
            f"{median(found['raw']):>14.0f}{median(ratios):>10.0%}{spread:>12}"
        )


def measure(
    codec: EnvelopeCodec,
    record: dict[str, object],
    now: datetime,
    algorithm: str,
    seconds: float,
) -> dict[str, list[float]]:
    """Seal, open and raw-verify rates for one algorithm, with a fresh PKI."""
    body = codec.registry.encode("Request", record)
    with tempfile.TemporaryDirectory() as tmp:
        pki = init_pki(Path(tmp), [ORG], algorithm=algorithm)
        signer = Signer.from_files(pki.orgs[ORG].key, pki.orgs[ORG].cert)
        verifier = Verifier.from_paths([pki.ca_cert], [pki.crl])
        sealed = codec.seal("Request", record, signer)
        at = now + timedelta(minutes=1)
        codec.open(sealed, verifier, now=at)  # warm the chain cache, as in steady state
        return rates(
            {
                "seal": lambda: codec.seal("Request", record, signer, now=now),
                "open": lambda: codec.open(sealed, verifier, now=at),
                "raw": raw_verify(pki.orgs[ORG].key, body, algorithm),
            },
            seconds,
        )


if __name__ == "__main__":
    main()
