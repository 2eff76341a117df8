"""Fixtures of the pipeline tests: a real PKI, codec and verifier, a small service registry.

The PKI is built once per session, 30 days in the past, so messages sent days ago (``too_old``)
still verify at their signing time. Times are whole milliseconds (what Avro keeps).
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509

from gateway.calendar import BusinessCalendar, default_calendar
from gateway.client import AgencyClient
from gateway.envelope import EnvelopeCodec, OpenedMessage
from gateway.kafka import KafkaConnection
from gateway.pipeline import Case, Decision, Intake, Output, Outputs, Source
from gateway.schemas.samples import (
    sample_cancellation,
    sample_refusal,
    sample_request,
    sample_response,
)
from gateway.services import ServiceRegistry, load_services
from gateway.signing import PkiLayout, Signer, Verifier, init_pki, serial_hex

REQUESTER = "201000001"
HOLDER = "202000002"
OTHER = "203000003"  # a body with a certificate that the registry does not let ask for DX-0123
GATEWAY = "999999999"
ORGS = (REQUESTER, HOLDER, OTHER)

_now = datetime.now(UTC)
NOW = _now.replace(microsecond=_now.microsecond // 1000 * 1000)

SERVICE = "DX-0123"  # 1 business day, documents listed, personal data, two adapters
EXEMPT = "DX-0456"  # archive reference: no deadline, any document, not personal data
SERVICE_NAMES = {SERVICE: "Uy-joy uchun subsidiya berish", EXEMPT: "Arxiv ma'lumotnomasi berish"}
ADAPTERS = ("portal", "nisuz")

SERVICES_YAML = f"""\
version: 1
services:
  - registry_number: "{SERVICE}"
    name: "{SERVICE_NAMES[SERVICE]}"
    provider: "{HOLDER}"
    requesters: ["{REQUESTER}"]
    documents:
      birth_record: "Tug'ilganlik haqidagi dalolatnoma yozuvi"
      marriage_record: "Nikoh tuzilganligi haqidagi dalolatnoma yozuvi"
    deadline: 1
    adapters: [portal, nisuz]
    personal_data: true
  - registry_number: "{EXEMPT}"
    name: "{SERVICE_NAMES[EXEMPT]}"
    provider: "{HOLDER}"
    requesters: ["{REQUESTER}"]
    deadline: exempt
    adapters: [nisuz]
    personal_data: false
"""


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(
        tmp_path_factory.mktemp("pipeline-pki"),
        list(ORGS),
        gateway_org=GATEWAY,
        now=NOW - timedelta(days=30),
    )


@pytest.fixture(scope="session")
def rogue_pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    """An independent CA that issues certificates with the same organisation codes."""
    return init_pki(
        tmp_path_factory.mktemp("rogue-pki"),
        [REQUESTER],
        gateway_org=GATEWAY,
        now=NOW - timedelta(days=30),
    )


@pytest.fixture(scope="session")
def verifier(pki: PkiLayout) -> Verifier:
    return Verifier.from_paths([pki.ca_cert], [pki.crl])


@pytest.fixture(scope="session")
def signers(pki: PkiLayout) -> dict[str, Signer]:
    out = {code: Signer.from_files(pki.orgs[code].key, pki.orgs[code].cert) for code in ORGS}
    out[GATEWAY] = Signer.from_files(pki.gateway.key, pki.gateway.cert)
    return out


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> ServiceRegistry:
    path = tmp_path_factory.mktemp("pipeline-services") / "services.yaml"
    path.write_text(SERVICES_YAML, encoding="utf-8")
    return load_services(path)


@pytest.fixture(scope="session")
def calendar() -> BusinessCalendar:
    return default_calendar()


@pytest.fixture(scope="session")
def outputs(codec: EnvelopeCodec, signers: dict[str, Signer]) -> Outputs:
    return Outputs(codec, signers[GATEWAY])


@pytest.fixture(scope="session")
def intake(
    codec: EnvelopeCodec,
    verifier: Verifier,
    outputs: Outputs,
    services: ServiceRegistry,
    calendar: BusinessCalendar,
) -> Intake:
    return Intake(codec, verifier, outputs, lambda: services, calendar, gateway_org=GATEWAY)


# --- building messages ----------------------------------------------------------------------


def party(code: str) -> dict[str, str]:
    return {"code": code, "name": f"Body {code}"}


def requisites(signer: Signer) -> dict[str, str]:
    leaf = x509.load_der_x509_certificate(signer.chain_der[0])
    return {
        "certificate_serial": serial_hex(leaf.serial_number),
        "issuer": leaf.issuer.rfc4514_string(),
    }


_FILLED = ("message_id", "case_id", "sent_at", "signature_requisites")


def _blank(record: dict[str, Any]) -> dict[str, Any]:
    for key in _FILLED:
        record.pop(key, None)
    return record


def new_request(
    *, sender: str = REQUESTER, recipient: str = HOLDER, service: str = SERVICE, **overrides: Any
) -> dict[str, Any]:
    """A request without the fields a client fills in (see :meth:`Exchange.seal`)."""
    record = _blank(sample_request())
    record["sender"] = party(sender)
    record["recipient"] = party(recipient)
    record["service"] = {"registry_number": service, "name": SERVICE_NAMES.get(service, "X")}
    if service == EXEMPT:
        record["requested"] = [{"code": "archive_reference", "title": "Arxiv ma'lumotnomasi"}]
    record.update(overrides)
    return record


def _answer_to(template: dict[str, Any], request: Mapping[str, Any], **overrides: Any) -> dict:
    record = _blank(template)
    record["case_id"] = request["case_id"]
    record["in_reply_to"] = request["message_id"]
    record["sender"] = dict(request["recipient"])
    record["recipient"] = dict(request["sender"])
    record["service"] = dict(request["service"])
    record.update(overrides)
    return record


def new_response(request: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    return _answer_to(sample_response(), request, **overrides)


def new_refusal(request: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    return _answer_to(sample_refusal(), request, **overrides)


def new_cancellation(request: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    record = _blank(sample_cancellation())
    record["case_id"] = request["case_id"]
    record["cancels"] = request["message_id"]
    record["sender"] = dict(request["sender"])
    record["recipient"] = dict(request["recipient"])
    record["service"] = dict(request["service"])
    record.update(overrides)
    return record


@dataclasses.dataclass
class Exchange:
    """One worker's view: the intake, a dict-backed case store and the next input offset."""

    intake: Intake
    codec: EnvelopeCodec
    verifier: Verifier
    signers: dict[str, Signer]
    cases: dict[str, Case] = dataclasses.field(default_factory=dict)
    offset: int = 100

    def seal(
        self,
        kind: str,
        record: Mapping[str, Any],
        *,
        signer: str | Signer | None = None,
        sent_at: datetime = NOW,
    ) -> tuple[dict[str, Any], bytes]:
        """Fill in what the agency client fills in (ids, sent_at, requisites), sign, seal."""
        key = record["sender"]["code"] if signer is None else signer
        sign = self.signers[key] if isinstance(key, str) else key
        full = dict(record)
        full.setdefault("message_id", str(uuid.uuid4()))
        if kind == "Request":
            full.setdefault("case_id", full["message_id"])
        full.setdefault("sent_at", sent_at)
        full.setdefault("signature_requisites", requisites(sign))
        return full, self.codec.seal(kind, full, sign)

    @functools.cached_property
    def reader(self) -> AgencyClient:
        """A body's client, never started: only its inbox check (:meth:`delivered`) is used."""
        return AgencyClient(
            HOLDER,
            self.signers[HOLDER],
            self.verifier,
            connection=KafkaConnection(("127.0.0.1:9",)),  # never connected
            registry=self.codec.registry,
            gateway_org=GATEWAY,
        )

    def delivered(self, output: Output) -> OpenedMessage:
        """What the addressee's client makes of an inbox output; fails unless it is accepted
        (sealed by the gateway for this topic, message id and value, and verified)."""
        assert output.topic.startswith("exchange.inbox."), output.topic
        item = self.reader.open_record(output.topic, 0, 0, output.value, output.headers)
        assert item.error is None, f"{output.topic}: {item.error}"
        assert item.message is not None
        return item.message

    def source(self, org: str, at: datetime = NOW) -> Source:
        self.offset += 1
        return Source(f"exchange.outbox.{org}", 3, self.offset, at)

    def process(
        self, raw: bytes, org: str, *, at: datetime = NOW, now: datetime | None = None
    ) -> tuple[Decision, Source]:
        """Take ``raw`` in from ``org``'s outbox; store the new case state as the worker does."""
        source = self.source(org, at)
        decision = self.intake.process(raw, source, self.cases.get, now or at)
        if decision.case is not None:
            self.cases[decision.case.case_id] = decision.case
        return decision, source

    def send(
        self,
        kind: str,
        record: Mapping[str, Any],
        *,
        org: str | None = None,
        signer: str | Signer | None = None,
        sent_at: datetime = NOW,
        at: datetime = NOW,
    ) -> tuple[Decision, Source, dict[str, Any], bytes]:
        full, raw = self.seal(kind, record, signer=signer, sent_at=sent_at)
        decision, source = self.process(raw, org or record["sender"]["code"], at=at)
        return decision, source, full, raw


@pytest.fixture
def exchange(
    intake: Intake, codec: EnvelopeCodec, verifier: Verifier, signers: dict[str, Signer]
) -> Exchange:
    return Exchange(intake, codec, verifier, signers)
