"""``gateway adapters new NAME``: a working adapter package with its tests, ready to change.

The package registers itself in the ``gateway.adapters`` entry-point group, delivers every
message to the generic reference server's contract (``docs/openapi/generic.yaml``:
``PUT /api/v1/messages/{key}``), and its tests run the contract suite against that server. An
integrator replaces the HTTP call with their system's API and keeps the tests green.
"""

from __future__ import annotations

import string
from pathlib import Path

from gateway.exceptions import ConfigError
from gateway.identifiers import ADAPTER_NAME

__all__ = ["scaffold"]

_PYPROJECT = string.Template("""\
[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "gateway-adapter-$name"
version = "0.1.0"
description = "$title adapter for the interagency exchange gateway"
requires-python = ">=3.11"
dependencies = ["uz-exchange-gateway"]

[project.optional-dependencies]
test = ["uz-exchange-gateway[test]"]

# the gateway finds the adapter here; `gateway adapters list` shows it once installed
[project.entry-points."gateway.adapters"]
$name = "$module.adapter:$cls"

[tool.setuptools.packages.find]
include = ["$module*"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "session"
asyncio_default_test_loop_scope = "session"
""")

_INIT = string.Template('''\
"""$title adapter for the interagency exchange gateway."""

from $module.adapter import $cls, ${cls}Settings

__all__ = ["$cls", "${cls}Settings"]
''')

_ADAPTER = string.Template('''\
"""$title adapter: delivers what the gateway routes to `exchange.adapter.$name`.

Replace the HTTP call in `deliver` with your system's API. Keep the rules the runner relies
on (the contract suite in tests/ checks them):
- send `message.idempotency_key` so that a redelivery is applied once;
- let `self.call` classify failures: 5xx, timeouts, refused connections are retriable; 4xx
  are not; 429/503 with Retry-After become BackpressureError(retry_after=...);
- never send personal data the target does not need; never log it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AnyHttpUrl, Field

from gateway.adapters import AdapterMessage, AdapterSettings, DeliveryReceipt, HttpAdapter


class ${cls}Settings(AdapterSettings):
    """Settings: GATEWAY_ADAPTER_${env}_<FIELD>, or [adapters.$name] in the config file."""

    base_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8084"), description="the target system's base URL"
    )


class $cls(HttpAdapter):
    """Delivers each message to the target's `PUT /api/v1/messages/{key}`."""

    name: ClassVar[str] = "$name"
    settings_class: ClassVar[type[AdapterSettings]] = ${cls}Settings

    async def deliver(self, message: AdapterMessage) -> DeliveryReceipt:
        record = message.record
        service = record.get("service") or {}
        body = {
            "kind": message.kind,
            "message_id": message.message_id,
            "case_id": message.case_id,
            "service": str(service.get("registry_number", "")) if isinstance(service, dict)
            else "",
            "sender": str((record.get("sender") or {}).get("code", "")),
            "recipient": str((record.get("recipient") or {}).get("code", "")),
            "stage": record.get("stage") if message.kind == "Status" else None,
        }
        _, answer = await self.call(
            "PUT",
            f"api/v1/messages/{message.idempotency_key}",
            idempotency_key=message.idempotency_key,
            body=body,
        )
        return DeliveryReceipt(
            remote_id=str(answer.get("message_key", message.idempotency_key)),
            detail={"position": str(answer.get("position", ""))},
        )
''')

_TESTS = string.Template('''\
"""$title adapter: the gateway's adapter contract, against the generic reference server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from gateway.adapters import Adapter, AdapterMessage
from gateway.adapters.contract import AdapterContract, ContractTarget
from gateway.reference import DEFAULT_TOKEN, GenericServer
from gateway.schemas.samples import sample_request
from $module import $cls


class Test${cls}Contract(AdapterContract):
    @pytest.fixture
    def adapter_class(self) -> type[Adapter]:
        return $cls

    @pytest.fixture
    async def target(self) -> AsyncIterator[ContractTarget]:
        async with GenericServer(":memory:") as server:
            yield ContractTarget(server.url, DEFAULT_TOKEN)

    @pytest.fixture
    def contract_message(self) -> AdapterMessage:
        ident = str(uuid.uuid4())
        record = sample_request(message_id=ident, case_id=ident)
        return AdapterMessage("Request", record, ident, ident, ident, {}, b"")


def test_the_adapter_is_registered_under_its_name() -> None:
    assert $cls.name == "$name"
''')

_README = string.Template("""\
# gateway-adapter-$name

$title adapter for the interagency exchange gateway (see the gateway's docs/adapters.md).

    pip install -e '.[test]'       # registers the entry point gateway.adapters:$name
    pytest                          # the adapter contract suite
    gateway adapters list           # shows $name
    gateway adapters run $name      # consumes exchange.adapter.$name

Declare `$name` under `adapters:` in topics.yaml (then `gateway topics apply`) and name it
in the services of services.yaml that should reach it. Settings: `GATEWAY_ADAPTER_${env}_BASE_URL`,
`..._TOKEN`, timeouts and the retry budget (see `${cls}Settings`).
""")


def scaffold(name: str, parent: Path) -> Path:
    """Write the package of adapter ``name`` under ``parent``; returns its folder."""
    if not ADAPTER_NAME.match(name):
        raise ConfigError(
            f"adapter name {name!r} is not valid",
            field="NAME",
            hint="use lowercase letters, digits, '-' and '_', starting with a letter",
        )
    module = f"gateway_adapter_{name.replace('-', '_')}"
    cls = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Adapter"
    values = {
        "name": name,
        "module": module,
        "cls": cls,
        "title": name.replace("-", " ").replace("_", " ").title(),
        "env": name.upper().replace("-", "_"),
    }
    root = parent / f"gateway-adapter-{name}"
    if root.exists():
        raise ConfigError(
            f"{root} exists already",
            field="--dir",
            hint="choose another folder or name; nothing was overwritten",
        )
    files = {
        root / "pyproject.toml": _PYPROJECT,
        root / "README.md": _README,
        root / module / "__init__.py": _INIT,
        root / module / "adapter.py": _ADAPTER,
        root / "tests" / "test_contract.py": _TESTS,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(values), encoding="utf-8")
    return root
