"""What the delivery seal costs per inbox record, in microseconds, per signature algorithm.

    python -m bench.seal [--seconds 1]

Prints, per algorithm of the gateway's key and per record size: seal (SHA-256 of the value,
signing input, one signature, header bytes: what the worker adds to every inbox record) and
check (header parsing, SHA-256, the verifier's cached chain and the signature check: what the
agency client adds to every inbox record), as medians of rounds taken in turns, in µs per
record, beside the raw signature verify of the primitive alone over the same signing input (the
floor of the check). The chain is validated once (first record) and then served from the
verifier's cache, as in steady state.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

from bench.envelope import rates, raw_verify
from gateway.envelope import Sealer, SealVerifier
from gateway.signing import DEFAULT_GATEWAY_ORG, Signer, Verifier, init_pki

TOPIC = "exchange.inbox.201234567"
MESSAGE_ID = "0b7c2f1e-9a4d-4c3b-8e21-5f6a7b8c9d01"
SIZES = (2 * 1024, 64 * 1024, 4 * 1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    args = parser.parse_args()
    print(f"µs per record, medians of rounds taken in turns, {args.seconds:g} s per figure")
    print(
        f"{'algorithm':<20}{'value':>10}{'seal µs':>10}{'check µs':>10}{'raw µs':>10}"
        f"{'header B':>10}"
    )
    for algorithm in ("ecdsa-p256-sha256", "ed25519", "rsa-pss-sha256"):
        with tempfile.TemporaryDirectory() as tmp:
            pki = init_pki(Path(tmp), ["201234567"], algorithm=algorithm)
            sealer = Sealer(Signer.from_files(pki.gateway.key, pki.gateway.cert))
            seals = SealVerifier(
                Verifier.from_paths([pki.ca_cert], [pki.crl]), gateway_org=DEFAULT_GATEWAY_ORG
            )
            at = datetime.now(UTC) + timedelta(minutes=1)
            raw = raw_verify(pki.gateway.key, bytes(131), algorithm)
            raw_us = 1e6 / median(rates({"raw": raw}, args.seconds, rounds=5)["raw"])
            for size in SIZES:
                seal_us, check_us, header = measure(sealer, seals, at, size, args.seconds)
                print(
                    f"{algorithm:<20}{_size(size):>10}{seal_us:>10.1f}{check_us:>10.1f}"
                    f"{raw_us:>10.1f}{header:>10}"
                )


def measure(
    sealer: Sealer, seals: SealVerifier, at: datetime, size: int, seconds: float
) -> tuple[float, float, int]:
    """µs per seal and per check of a ``size``-byte value, and the header's length."""
    value = bytes(size)
    header = sealer.seal(TOPIC, MESSAGE_ID, value)
    seals.check(header, topic=TOPIC, message_id=MESSAGE_ID, value=value, now=at)  # warm
    found = rates(
        {
            "seal": lambda: sealer.seal(TOPIC, MESSAGE_ID, value),
            "check": lambda: seals.check(
                header, topic=TOPIC, message_id=MESSAGE_ID, value=value, now=at
            ),
        },
        seconds * (4 if size > 1024 * 1024 else 1),
        rounds=5,
    )
    return 1e6 / median(found["seal"]), 1e6 / median(found["check"]), len(header)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


if __name__ == "__main__":
    main()
