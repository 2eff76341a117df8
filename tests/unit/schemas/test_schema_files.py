"""The shipped .avsc files: they parse, are documented, agree with each other and with the code."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from gateway.reasons import Reason
from gateway.schemas import NAMESPACE, SchemaRegistry, SchemaVersion
from gateway.schemas._avro import deref, kind_of, walk

MESSAGE_TYPES = (
    "Cancellation",
    "Envelope",
    "Receipt",
    "Refusal",
    "Rejection",
    "Request",
    "Response",
    "StatsReport",
    "Status",
)

# Published versions never change: a new version goes beside them (docs/schemas.md).
# Editing a shipped file in place changes its fingerprint and fails here.
PUBLISHED = {
    ("Cancellation", 1): "b096bbf2eab82a11",
    ("Envelope", 1): "738c8b406a73bc31",
    ("Receipt", 1): "61b7ab4e8e960857",
    ("Receipt", 2): "f67afc74f3646291",
    ("Receipt", 3): "8a19ffd3345a1fb0",
    ("Refusal", 1): "5bb60d34b5fb6c9f",
    ("Rejection", 1): "a100448bf1bf69a2",
    ("Rejection", 2): "85f14af7a4aacd07",
    ("Rejection", 3): "2bfee4542e0c0f20",
    ("Request", 1): "e84252109cff2abd",
    ("Response", 1): "bbbba9f2c1112aa1",
    ("StatsReport", 1): "58b303853da24c23",
    ("Status", 1): "085fc1a7f5323ed4",
}


def all_versions(registry: SchemaRegistry) -> list[SchemaVersion]:
    return [registry.schema(n, v) for n in registry.names() for v in registry.versions(n)]


def test_every_message_type_is_shipped(registry: SchemaRegistry) -> None:
    assert registry.names() == MESSAGE_TYPES


def test_every_file_is_plain_json_with_the_folder_name() -> None:
    root = files("gateway.schemas").joinpath("avro")
    seen = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        for entry in folder.iterdir():
            definition = json.loads(entry.read_text(encoding="utf-8"))
            assert definition["name"] == folder.name
            assert definition["namespace"] == NAMESPACE
            seen.append(folder.name)
    assert sorted(set(seen)) == list(MESSAGE_TYPES)


@pytest.mark.parametrize(("name", "version"), sorted(PUBLISHED))
def test_published_versions_are_unchanged(
    registry: SchemaRegistry, name: str, version: int
) -> None:
    assert registry.fingerprint(name, version).hex() == PUBLISHED[(name, version)]


def test_every_named_type_and_field_has_a_doc(registry: SchemaRegistry) -> None:
    missing = []
    for item in all_versions(registry):
        for node in walk(item.parsed):
            if not isinstance(node, dict) or node.get("type") not in ("record", "enum", "fixed"):
                continue
            if not str(node.get("doc", "")).strip():
                missing.append(f"{item.name} v{item.version}: type {node['name']}")
            missing.extend(
                f"{item.name} v{item.version}: {node['name']}.{field['name']}"
                for field in node.get("fields", [])
                if not str(field.get("doc", "")).strip()
            )
    assert missing == []


def test_reason_code_symbols_are_the_reason_values_in_order(registry: SchemaRegistry) -> None:
    """The latest version of each holder lists every code; older ones a prefix, in order."""
    expected = [reason.value for reason in Reason]
    holders = []
    for item in all_versions(registry):
        enum = item.named.get(f"{NAMESPACE}.ReasonCode")
        if enum is not None:
            holders.append(item.name)
            symbols = enum["symbols"]
            assert symbols == expected[: len(symbols)], f"{item.name} v{item.version}"
            if item.version == registry.latest_version(item.name):
                assert symbols == expected, f"{item.name} v{item.version}"
    assert {"Receipt", "Rejection"} <= set(holders)


def _expanded(node: Any, named: dict[str, dict[str, Any]], stack: tuple[str, ...] = ()) -> Any:
    """A named type with every reference replaced by its definition, for comparison."""
    node = deref(node, named)
    if isinstance(node, list):
        return [_expanded(branch, named, stack) for branch in node]
    if not isinstance(node, dict):
        return node
    name = node.get("name") if node.get("type") in ("record", "enum", "fixed") else None
    if name in stack:
        return name
    inner = (*stack, name) if name else stack
    copy = dict(node)
    if "fields" in copy:
        copy["fields"] = [
            {**field, "type": _expanded(field["type"], named, inner)} for field in copy["fields"]
        ]
    for key in ("items", "values"):
        if key in copy:
            copy[key] = _expanded(copy[key], named, inner)
    return copy


def test_a_named_type_means_the_same_in_every_latest_schema(registry: SchemaRegistry) -> None:
    """Body, Attachment, Signer ... are repeated per file; the copies must not drift apart."""
    seen: dict[str, tuple[str, str]] = {}
    for name in registry.names():
        item = registry.schema(name)
        for type_name, definition in item.named.items():
            text = json.dumps(_expanded(definition, item.named), sort_keys=True)
            first = seen.setdefault(type_name, (name, text))
            assert first[1] == text, f"{type_name} differs between {first[0]} and {name}"
    assert {f"{NAMESPACE}.{n}" for n in ("Body", "Attachment", "Signer", "Sha256")} <= set(seen)


def test_reference_books(registry: SchemaRegistry) -> None:
    request = registry.schema("Request").named
    response = registry.schema("Response").named
    status = registry.schema("Status").named
    assert request[f"{NAMESPACE}.Classification"]["symbols"] == [
        "public",
        "personal_data",
        "confidential",
        "state_secret",
    ]
    assert response[f"{NAMESPACE}.DocumentKind"]["symbols"] == [
        "cover_letter",
        "hokim_decision",
        "hokim_order",
        "council_decision",
    ]
    assert status[f"{NAMESPACE}.Stage"]["symbols"] == [
        "received",
        "accepted",
        "rejected",
        "delivered",
        "answered",
        "refused",
        "overdue",
        "cancelled",
        "closed",
        "delivery_failed",
        "deadline_changed",  # Status v2: a deadline moved by a calendar change
    ]


def _field(item: SchemaVersion, path: str) -> dict[str, Any]:
    node: Any = item.parsed
    field: dict[str, Any] = {}
    for part in path.split("."):
        node = deref(node, item.named)
        field = next(f for f in node["fields"] if f["name"] == part)
        node = field["type"]
    return field


ITEM_14 = (
    "sender",
    "recipient",
    "service",
    "service.registry_number",
    "service.name",
    "applicant",
    "application",
    "requested",
    "sent_at",
    "signer",
    "signer.surname",
    "signer.given_name",
    "signer.position",
    "signature_requisites",
    "signature_requisites.certificate_serial",
    "signature_requisites.issuer",
)


@pytest.mark.parametrize("path", ITEM_14)
def test_item_14_requisites_are_mandatory_in_the_request(
    registry: SchemaRegistry, path: str
) -> None:
    field = _field(registry.schema("Request"), path)
    assert "default" not in field
    branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
    assert "null" not in branches


def test_refusal_reasons_and_envelope_fingerprint(registry: SchemaRegistry) -> None:
    reasons = _field(registry.schema("Refusal"), "reasons")
    assert "default" not in reasons
    assert "at least one" in reasons["doc"]
    envelope = registry.schema("Envelope")
    fingerprint = deref(_field(envelope, "schema_fingerprint")["type"], envelope.named)
    assert fingerprint["type"] == "fixed"
    assert fingerprint["size"] == 8


def _min_width(node: Any, named: dict[str, dict[str, Any]], stack: frozenset[str]) -> int:
    node = deref(node, named)
    kind = kind_of(node)
    if kind == "null":
        return 0
    if kind == "fixed":
        return int(node["size"])
    if kind == "record":
        if node["name"] in stack:
            return 1
        inner = stack | {node["name"]}
        return sum(_min_width(f["type"], named, inner) for f in node["fields"])
    return 1  # every other type writes at least one byte (a length, an index, a value)


def test_no_array_or_map_holds_zero_width_items(registry: SchemaRegistry) -> None:
    """A zero-width item would let a few hostile bytes claim billions of items (decode-time DoS)."""
    for item in all_versions(registry):
        for node in walk(item.parsed):
            if isinstance(node, dict) and node.get("type") in ("array", "map"):
                inner = node["items"] if node["type"] == "array" else node["values"]
                assert _min_width(inner, item.named, frozenset()) > 0, item.name
