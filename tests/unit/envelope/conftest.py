from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.signing import PkiLayout, Signer, Verifier, init_pki

REQUESTER = "201234567"  # the sender of gateway.schemas.samples.sample_request
HOLDER = "202345678"
# Certificates are valid from the moment this module is imported, which is before the test
# modules fix their signing times; issuing them when the fixture first runs (perhaps minutes
# later, after the integration tests) would make those times precede the certificates.
ISSUED_AT = datetime.now(UTC)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"), [REQUESTER, HOLDER], now=ISSUED_AT)


@pytest.fixture(scope="session")
def signer(pki: PkiLayout) -> Signer:
    ident = pki.orgs[REQUESTER]
    return Signer.from_files(ident.key, ident.cert)


@pytest.fixture(scope="session")
def holder_signer(pki: PkiLayout) -> Signer:
    ident = pki.orgs[HOLDER]
    return Signer.from_files(ident.key, ident.cert)


@pytest.fixture(scope="session")
def verifier(pki: PkiLayout) -> Verifier:
    return Verifier.from_paths([pki.ca_cert], [pki.crl])
