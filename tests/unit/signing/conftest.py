"""Fixtures of the signing tests: a root CA, a signing certificate and a verifier."""

from __future__ import annotations

import pytest

from gateway.signing import Verifier
from tests.unit.signing.factory import Issued, make_ca, make_leaf, make_verifier


@pytest.fixture(scope="session")
def root() -> Issued:
    return make_ca()


@pytest.fixture(scope="session")
def leaf(root: Issued) -> Issued:
    return make_leaf(root)


@pytest.fixture
def verifier(root: Issued) -> Verifier:
    return make_verifier(root)
