"""docs/wire-format.md agrees with the code: fingerprints, types and versions, reason codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli.schemas import schemas
from gateway.reasons import Reason
from gateway.schemas import SchemaRegistry
from gateway.schemas.document import render_document, stale_sections
from gateway.schemas.exceptions import SchemaFileError

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "wire-format.md"


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


def test_the_document_is_what_the_code_generates(registry: SchemaRegistry) -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert stale_sections(text, registry) == [], "run: gateway schemas doc"
    assert render_document(text, registry) == text


def test_every_fingerprint_and_reason_is_in_the_document(registry: SchemaRegistry) -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    for name in registry.names():
        for version in registry.versions(name):
            assert registry.fingerprint(name, version).hex() in text
    for reason in Reason:
        assert f"`{reason.value}`" in text


def test_a_stale_catalogue_is_found(registry: SchemaRegistry) -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    newest = registry.fingerprint("Rejection").hex()
    stale = text.replace(newest, "85f14af7a4aacd07")
    assert stale_sections(stale, registry) == ["fingerprints", "types"]
    dropped = text.replace("| `envelope_version_retired` |", "| `something_else` |")
    assert stale_sections(dropped, registry) == ["reasons"]


def test_a_missing_or_unknown_section_is_an_error(registry: SchemaRegistry) -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    with pytest.raises(SchemaFileError, match="no generated section reasons"):
        render_document(text.replace("<!-- generated:reasons -->", "<!-- removed -->"), registry)
    with pytest.raises(SchemaFileError, match="unknown generated section"):
        render_document(text + "\n<!-- generated:nope -->\n<!-- end generated -->\n", registry)


def test_doc_check_exits_1_on_a_stale_file_and_doc_rewrites_it(
    tmp_path: Path, registry: SchemaRegistry
) -> None:
    copy = tmp_path / "wire-format.md"
    good = DOCUMENT.read_text(encoding="utf-8")
    copy.write_text(good.replace(registry.fingerprint("Receipt").hex(), "0" * 16))
    runner = CliRunner()
    result = runner.invoke(schemas, ["doc", "--file", str(copy), "--check"])
    assert result.exit_code == 1
    assert "out of date: fingerprints, types" in result.output
    assert runner.invoke(schemas, ["doc", "--file", str(copy)]).exit_code == 0
    assert copy.read_text() == good
    assert runner.invoke(schemas, ["doc", "--file", str(copy), "--check"]).exit_code == 0
