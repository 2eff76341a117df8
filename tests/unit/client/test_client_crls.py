"""The agency client's CRL check: reload when due, raise CrlExpiredError while failing closed.

No broker: ``check_crls`` is what ``inbox()`` runs before verifying each fetched batch.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.client import AgencyClient
from gateway.exceptions import CrlExpiredError
from gateway.kafka import KafkaConnection
from gateway.signing import CrlPolicy, CrlWatch, Signer, Verifier, init_pki, reissue_crl, revoke
from tests.unit.signing.factory import NOW, FakeClock

ORG = "201234567"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pki(tmp_path, clock):
    layout = init_pki(tmp_path / "pki", [ORG], now=NOW)
    reissue_crl(layout.root, now=clock.now, valid_for=timedelta(hours=1))
    return layout


def client_of(pki, clock, registry, **policy) -> AgencyClient:
    verifier = Verifier.from_paths([pki.ca_cert], clock=clock)
    watch = CrlWatch(
        verifier, [pki.crl], policy=CrlPolicy(check_s=5, **policy),
        clock=clock, monotonic=clock.monotonic,
    )  # fmt: skip
    watch.load()
    ident = pki.orgs[ORG]
    return AgencyClient(
        ORG,
        Signer.from_files(ident.key, ident.cert),
        verifier,
        connection=KafkaConnection(("127.0.0.1:1",)),  # never connected
        registry=registry,
        crl_watch=watch,
    )


async def test_reloads_when_due_only(pki, clock, registry):
    client = client_of(pki, clock, registry)
    revoke(pki.root, ORG, now=clock.now)
    clock.advance(seconds=4)
    await client.check_crls()
    assert client.crl_watch is not None
    assert client.crl_watch.state().revoked == 0  # not due yet
    clock.advance(seconds=1)
    await client.check_crls()
    assert client.crl_watch.state().revoked == 1


async def test_an_expired_crl_raises_until_a_fresh_one_is_read(pki, clock, registry):
    client = client_of(pki, clock, registry)
    clock.advance(hours=2)
    with pytest.raises(CrlExpiredError) as caught:
        await client.check_crls()
    assert caught.value.retriable
    assert caught.value.field == str(pki.crl)
    reissue_crl(pki.root, now=clock.now, valid_for=timedelta(hours=1))
    clock.advance(seconds=5)
    await client.check_crls()  # reloaded, in date again


async def test_failing_open_does_not_raise(pki, clock, registry):
    client = client_of(pki, clock, registry, fail_closed=False)
    clock.advance(hours=2)
    await client.check_crls()


def test_the_watch_must_be_the_verifiers(pki, clock, registry):
    client = client_of(pki, clock, registry)
    assert client.crl_watch is not None
    with pytest.raises(ValueError, match="verifier"):
        AgencyClient(
            ORG,
            client.signer,
            Verifier.from_paths([pki.ca_cert]),  # another verifier than the watch's
            connection=KafkaConnection(("127.0.0.1:1",)),
            registry=registry,
            crl_watch=client.crl_watch,
        )
