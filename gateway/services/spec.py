"""Loading and validating ``services.yaml``; every error names the file, the line and the entry.

Example entry::

    services:
      - registry_number: "DX-0123"
        name: "Uy-joy uchun subsidiya berish"
        provider: "201000002"              # the body that holds the documents and answers
        requesters: ["201000001"]          # who may ask it (item 21); nobody else may
        documents:                         # what it may return; empty or absent: anything
          birth_record: "Tug'ilganlik haqidagi dalolatnoma yozuvi"
        deadline: 1                        # business days (items 13, 18); {working_hours: 4};
                                           # or "exempt" (item 22)
        adapters: [portal, nisuz]          # adapters notified of this service's cases
        personal_data: true                # the service carries personal data (item 24)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gateway.calendar import DeadlinePolicy
from gateway.identifiers import ADAPTER_NAME, STIR
from gateway.services.registry import Service, ServiceRegistry
from gateway.specfile import LinedDict, LinedList, SpecReader, line_of, load_spec

__all__ = ["load_services"]

_TOP_KEYS = {"version", "services"}
_SERVICE_KEYS = {
    "registry_number",
    "name",
    "provider",
    "requesters",
    "documents",
    "deadline",
    "adapters",
    "personal_data",
    "description",
}
_REQUIRED = ("registry_number", "name", "provider", "requesters")
REGISTRY_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\Z")


def load_services(path: Path) -> ServiceRegistry:
    """Read and validate a service registry file; raises ``SpecError`` with file:line."""
    r = SpecReader(path)
    root = load_spec(path)
    if not isinstance(root, LinedDict):
        raise r.fail("the file must be a mapping with `version` and `services`", root)
    r.unknown(root, _TOP_KEYS)
    if root.get("version") != 1:
        raise r.fail("version must be 1", root, "version", hint="put `version: 1` at the top")
    items = r.seq(root.get("services", LinedList()), "services", root, "services")
    services: list[Service] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(items):
        data = r.mapping(item, "a service", items, i)
        service = _service(r, data)
        if service.registry_number in seen:
            raise r.fail(
                f"registry number {service.registry_number!r} is declared twice "
                f"(first at line {seen[service.registry_number]})",
                data,
                "registry_number",
                entry=service.registry_number,
            )
        seen[service.registry_number] = service.line
        services.append(service)
    return ServiceRegistry(services, source=path)


def _service(r: SpecReader, data: LinedDict) -> Service:
    number = data.get("registry_number")
    entry = str(number) if number is not None else None
    r.unknown(data, _SERVICE_KEYS, entry)
    for key in _REQUIRED:
        if key not in data:
            raise r.fail(f"missing key {key!r}", data, entry=entry)
    if not isinstance(number, str) or not REGISTRY_NUMBER.match(number):
        raise r.fail(
            f"registry_number must be the service's unique registry number, not {number!r}",
            data,
            "registry_number",
            entry=entry,
            hint='quote it: registry_number: "DX-0123"',
        )
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise r.fail("name must be a non-empty string", data, "name", entry=entry)
    provider = _stir(r, data["provider"], data, "provider", entry)
    reqs = r.seq(data["requesters"], "requesters", data, "requesters")
    requesters = frozenset(_stir(r, v, reqs, i, entry) for i, v in enumerate(reqs))
    if provider in requesters:
        raise r.fail(
            f"the provider {provider} cannot request its own service",
            data,
            "requesters",
            entry=entry,
        )
    return Service(
        registry_number=number,
        name=name,
        provider=provider,
        requesters=requesters,
        documents=_documents(r, data, entry),
        deadline=_deadline(r, data, entry),
        adapters=_adapters(r, data, entry),
        personal_data=_flag(r, data, "personal_data", entry),
        line=line_of(data),
    )


def _stir(r: SpecReader, value: Any, parent: Any, key: str | int, entry: str | None) -> str:
    if not isinstance(value, str) or not STIR.match(value):
        raise r.fail(
            f"a body is its 9-digit STIR as a quoted string, not {value!r}",
            parent,
            key,
            entry=entry,
            hint='write "201000001" in quotes (YAML reads bare digits as a number)',
        )
    return value


def _documents(r: SpecReader, data: LinedDict, entry: str | None) -> dict[str, str]:
    docs = data.get("documents")
    if docs is None:
        return {}
    docs = r.mapping(docs, "documents (code: title)", data, "documents")
    for code, title in docs.items():
        if not isinstance(title, str) or not title.strip():
            raise r.fail(f"document {code!r} needs a title", docs, code, entry=entry)
    return dict(docs)


def _deadline(r: SpecReader, data: LinedDict, entry: str | None) -> DeadlinePolicy:
    value = data.get("deadline", 1)
    if value == "exempt":
        return DeadlinePolicy.exempt()
    if isinstance(value, LinedDict):
        return _deadline_mapping(r, value, entry)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise r.fail(
            f"deadline must be a number of business days (1 or more), {{working_hours: N}} "
            f"or 'exempt', not {value!r}",
            data,
            "deadline",
            entry=entry,
            hint="the regulation's term is 1 (items 13, 18); archive references are exempt (22)",
        )
    return DeadlinePolicy.within(value)


def _deadline_mapping(r: SpecReader, value: LinedDict, entry: str | None) -> DeadlinePolicy:
    """``{business_days: N}`` or ``{working_hours: N}``: one key, a whole number >= 1."""
    r.unknown(value, {"business_days", "working_hours"}, entry)
    if len(value) != 1:
        raise r.fail(
            "deadline takes exactly one of business_days and working_hours",
            value,
            entry=entry,
            hint="e.g. deadline: {working_hours: 4}",
        )
    (key,) = value
    count = r.int_at_least(value, key, 1, entry)
    return DeadlinePolicy.within(count) if key == "business_days" else DeadlinePolicy.hours(count)


def _adapters(r: SpecReader, data: LinedDict, entry: str | None) -> tuple[str, ...]:
    items = r.seq(data.get("adapters", LinedList()), "adapters", data, "adapters")
    for i, name in enumerate(items):
        if not isinstance(name, str) or not ADAPTER_NAME.match(name):
            raise r.fail(f"{name!r} is not an adapter name", items, i, entry=entry)
    return tuple(items)


def _flag(r: SpecReader, data: LinedDict, key: str, entry: str | None) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise r.fail(f"{key} must be true or false, not {value!r}", data, key, entry=entry)
    return value
