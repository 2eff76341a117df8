"""How the agency client judges an inbox record, and how ``gateway inbox`` prints it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from gateway.cli.messages import inbox_line
from gateway.client import AgencyClient, InboxItem
from gateway.envelope import SEAL_HEADER, EnvelopeCodec, Sealer
from gateway.kafka import KafkaConnection
from gateway.reasons import Reason
from gateway.schemas.samples import sample_receipt
from gateway.signing import PkiLayout, Signer, Verifier, init_pki

BODY = "201234567"
OTHER = "202345678"
ISSUED = datetime.now(UTC) - timedelta(days=1)
TOPIC = f"exchange.inbox.{BODY}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("client-pki"), [BODY, OTHER], now=ISSUED)


@pytest.fixture(scope="module")
def client(pki: PkiLayout) -> AgencyClient:
    ident = pki.orgs[BODY]
    return AgencyClient(  # never started: no broker is needed to judge a record
        BODY,
        Signer.from_files(ident.key, ident.cert),
        Verifier.from_paths([pki.ca_cert], [pki.crl]),
        connection=KafkaConnection(("127.0.0.1:9",)),  # never connected
    )


@pytest.fixture(scope="module")
def gateway(pki: PkiLayout) -> Signer:
    return Signer.from_files(pki.gateway.key, pki.gateway.cert)


@pytest.fixture(scope="module")
def receipt(codec: EnvelopeCodec, gateway: Signer) -> bytes:
    return codec.seal("Receipt", sample_receipt(received_at=datetime.now(UTC)), gateway)


def sealed(gateway: Signer, value: bytes, *, topic: str = TOPIC, message_id: str | None = None):
    mid = message_id or sample_receipt()["message_id"]
    return [("type", b"Receipt"), (SEAL_HEADER, Sealer(gateway).seal(topic, mid, value))]


def test_a_sealed_gateway_receipt_is_accepted(
    client: AgencyClient, gateway: Signer, receipt: bytes
) -> None:
    item = client.open_record(TOPIC, 0, 5, receipt, sealed(gateway, receipt))
    assert item.error is None
    assert item.message is not None
    assert item.message.kind == "Receipt"
    assert inbox_line(item, as_json=False).startswith("Receipt ")


def test_a_genuinely_signed_but_unsealed_record_is_refused_never_a_message(
    client: AgencyClient, receipt: bytes
) -> None:
    # the gateway's own signature on the envelope is not enough: anyone may copy it here
    item = client.open_record(TOPIC, 0, 6, receipt, [("type", b"Receipt")])
    assert item.message is None
    assert item.error is not None
    assert item.error.reason == Reason.NOT_DELIVERED_BY_GATEWAY
    line = inbox_line(item, as_json=False)
    assert line.startswith("refused      offset 6 [not_delivered_by_gateway]: ")
    assert "no gateway.seal header" in line
    data = json.loads(inbox_line(item, as_json=True))
    assert (data["refused"], data["reason"], data["offset"]) == (
        True,
        "not_delivered_by_gateway",
        6,
    )


@pytest.mark.parametrize("wrong", ["topic", "message_id", "value", "signer"])
def test_a_seal_that_does_not_fit_the_record_is_refused(
    client: AgencyClient, gateway: Signer, pki: PkiLayout, receipt: bytes, wrong: str
) -> None:
    headers = {
        "topic": lambda: sealed(gateway, receipt, topic=f"exchange.inbox.{OTHER}"),
        "message_id": lambda: sealed(
            gateway, receipt, message_id="00000000-0000-4000-8000-000000000000"
        ),
        "value": lambda: sealed(gateway, receipt + b"\x00"),
        "signer": lambda: sealed(
            Signer.from_files(pki.orgs[OTHER].key, pki.orgs[OTHER].cert), receipt
        ),
    }[wrong]()
    item = client.open_record(TOPIC, 0, 7, receipt, headers)
    assert item.message is None
    assert item.error is not None
    assert item.error.reason == Reason.NOT_DELIVERED_BY_GATEWAY


def test_a_sealed_record_that_is_not_an_envelope_keeps_its_own_reason(
    client: AgencyClient, gateway: Signer
) -> None:
    value = b"not an envelope"
    item = client.open_record(TOPIC, 0, 8, value, sealed(gateway, value))
    assert item.error is not None
    assert item.error.reason == Reason.MALFORMED_ENVELOPE
    assert "[malformed_envelope]" in inbox_line(item, as_json=False)


def test_a_refused_item_prints_without_a_message() -> None:
    item = InboxItem(TOPIC, 0, 9, None, None)
    assert inbox_line(item, as_json=False) == "refused      offset 9 [internal]: None"
