from __future__ import annotations

from pathlib import Path

import pytest

from gateway.calendar import DeadlinePolicy
from gateway.exceptions import SpecError
from gateway.services import ServiceRegistry, load_services

ROOT = Path(__file__).resolve().parents[3]

# line numbers are part of the assertions below: keep this text's layout
GOOD = """\
version: 1
services:
  - registry_number: "DX-0123"
    name: "Uy-joy uchun subsidiya berish"
    provider: "201000001"
    requesters: ["201000003", "201000004"]
    documents:
      birth_record: "Tug'ilganlik haqidagi dalolatnoma yozuvi"
      marriage_record: "Nikoh tuzilganligi haqidagi dalolatnoma yozuvi"
    deadline: 1
    adapters: [portal, nisuz]
    personal_data: true
  - registry_number: "DX-0456"
    name: "Arxiv ma'lumotnomasi berish"
    provider: "201000003"
    requesters:
      - "201000001"
    deadline: exempt
    adapters: [nisuz]
  - registry_number: "DX-0789"
    name: "Soliq qarzdorligi yo'qligi to'g'risida ma'lumot"
    description: "three business days"
    provider: "201000004"
    requesters: ["201000002"]
    deadline: 3
"""


FULLWIDTH_STIR = "".join(chr(0xFF10 + int(d)) for d in "201000004")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "services.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_file_is_valid() -> None:
    registry = load_services(ROOT / "services.yaml")
    assert len(registry) >= 1
    for service in registry:
        assert service.provider not in service.requesters


def test_a_valid_file_loads_every_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    registry = load_services(path)
    assert isinstance(registry, ServiceRegistry)
    assert registry.source == path
    assert registry.numbers == ("DX-0123", "DX-0456", "DX-0789")
    assert len(registry) == 3

    first = registry.get("DX-0123")
    assert first is not None
    assert first.name == "Uy-joy uchun subsidiya berish"
    assert first.provider == "201000001"
    assert first.requesters == frozenset({"201000003", "201000004"})
    assert dict(first.documents) == {
        "birth_record": "Tug'ilganlik haqidagi dalolatnoma yozuvi",
        "marriage_record": "Nikoh tuzilganligi haqidagi dalolatnoma yozuvi",
    }
    assert first.deadline == DeadlinePolicy.within(1)
    assert first.deadline.business_days == 1
    assert first.adapters == ("portal", "nisuz")
    assert first.personal_data is True
    assert first.line == 3

    archive = registry.get("DX-0456")
    assert archive is not None
    assert archive.deadline.is_exempt
    assert archive.requesters == frozenset({"201000001"})
    assert dict(archive.documents) == {}  # absent: any document
    assert archive.personal_data is False  # default
    assert archive.line == 13

    tax = registry.get("DX-0789")
    assert tax is not None
    assert tax.deadline == DeadlinePolicy.within(3)
    assert tax.adapters == ()

    assert registry.get("DX-9999") is None
    assert registry.bodies == frozenset({"201000001", "201000002", "201000003", "201000004"})
    assert registry.adapters == frozenset({"portal", "nisuz"})


def test_deadline_defaults_to_one_business_day(tmp_path: Path) -> None:
    registry = load_services(write(tmp_path, GOOD.replace("    deadline: 1\n", "")))
    service = registry.get("DX-0123")
    assert service is not None
    assert service.deadline == DeadlinePolicy.within(1)


@pytest.mark.parametrize(
    ("written", "policy"),
    [
        ("{working_hours: 4}", DeadlinePolicy.hours(4)),
        ("{business_days: 2}", DeadlinePolicy.within(2)),
    ],
)
def test_deadline_as_a_mapping(tmp_path: Path, written: str, policy: DeadlinePolicy) -> None:
    registry = load_services(write(tmp_path, GOOD.replace("deadline: 3", f"deadline: {written}")))
    service = registry.get("DX-0789")
    assert service is not None
    assert service.deadline == policy


def test_may_request_denies_by_default(tmp_path: Path) -> None:
    service = load_services(write(tmp_path, GOOD)).get("DX-0123")
    assert service is not None
    assert service.may_request("201000003", "201000001")
    assert service.may_request("201000004", "201000001")
    # a body that is not listed, even a real one
    assert not service.may_request("201000002", "201000001")
    # the provider asking itself
    assert not service.may_request("201000001", "201000001")
    # a listed requester asking the wrong body
    assert not service.may_request("201000003", "201000004")
    # requester and provider swapped
    assert not service.may_request("201000001", "201000003")


def test_a_service_without_requesters_is_closed_to_everyone(tmp_path: Path) -> None:
    text = GOOD.replace('requesters: ["201000002"]', "requesters: []")
    service = load_services(write(tmp_path, text)).get("DX-0789")
    assert service is not None
    assert service.requesters == frozenset()
    assert not service.may_request("201000002", "201000004")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("    deadline: 1\n", "    deadline: 1\n    colour: red\n"),
            r"services.yaml:11 \(entry 'DX-0123'\): unknown key 'colour'",
        ),
        (
            GOOD.replace("version: 1\n", "version: 1\nextras: []\n"),
            r"services.yaml:2: unknown key 'extras'",
        ),
        (
            GOOD.replace('    provider: "201000003"\n', ""),
            r"services.yaml:13 \(entry 'DX-0456'\): missing key 'provider'",
        ),
        (
            GOOD.replace('    name: "Arxiv ma\'lumotnomasi berish"\n', ""),
            r"services.yaml:13 \(entry 'DX-0456'\): missing key 'name'",
        ),
        (
            GOOD.replace('provider: "201000003"', "provider: 201000003"),
            r"services.yaml:15 \(entry 'DX-0456'\): a body is its 9-digit STIR as a quoted "
            r"string, not 201000003",
        ),
        (
            GOOD.replace('      - "201000001"\n', "      - 201000001\n"),
            r"services.yaml:17 \(entry 'DX-0456'\): a body is its 9-digit STIR",
        ),
        (
            GOOD.replace('provider: "201000004"', 'provider: "20100004"'),
            r"services.yaml:23 \(entry 'DX-0789'\): a body is its 9-digit STIR",
        ),
        (
            GOOD.replace('"DX-0456"', '"DX 0456"'),
            r"services.yaml:13 \(entry 'DX 0456'\): registry_number must be the service's "
            r"unique registry number, not 'DX 0456'",
        ),
        (
            GOOD.replace('"DX-0456"', "456"),
            r"services.yaml:13 \(entry '456'\): registry_number must be .*not 456",
        ),
        (
            GOOD.replace('requesters: ["201000002"]', 'requesters: ["201000002", "201000004"]'),
            r"services.yaml:24 \(entry 'DX-0789'\): the provider 201000004 cannot request "
            r"its own service",
        ),
        (
            GOOD.replace('"DX-0789"', '"DX-0123"'),
            r"services.yaml:20 \(entry 'DX-0123'\): registry number 'DX-0123' is declared twice "
            r"\(first at line 3\)",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: 0"),
            r"services.yaml:25 \(entry 'DX-0789'\): deadline must be a number of business days "
            r"\(1 or more\), \{working_hours: N\} or 'exempt', not 0",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: {working_hours: 0}"),
            r"services.yaml:25 \(entry 'DX-0789'\): working_hours must be a whole number >= 1",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: {hours: 4}"),
            r"services.yaml:25 \(entry 'DX-0789'\): unknown key 'hours'",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: {working_hours: 4, business_days: 1}"),
            r"services.yaml:25 \(entry 'DX-0789'\): deadline takes exactly one of",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: soon"),
            r"services.yaml:25 \(entry 'DX-0789'\): deadline must be .*not 'soon'",
        ),
        (
            GOOD.replace("deadline: 3", "deadline: true"),
            r"services.yaml:25 \(entry 'DX-0789'\): deadline must be .*not True",
        ),
        (
            GOOD.replace("adapters: [portal, nisuz]", "adapters: [portal, Nis.UZ]"),
            r"services.yaml:11 \(entry 'DX-0123'\): 'Nis.UZ' is not an adapter name",
        ),
        (
            GOOD.replace("personal_data: true", "personal_data: 1"),
            r"services.yaml:12 \(entry 'DX-0123'\): personal_data must be true or false, not 1",
        ),
        (
            GOOD.replace("personal_data: true", "personal_data: sometimes"),
            r"services.yaml:12 \(entry 'DX-0123'\): personal_data must be true or false",
        ),
        (
            GOOD.replace("version: 1", "version: 2"),
            r"services.yaml:1: version must be 1",
        ),
        (
            GOOD.replace("version: 1\n", ""),
            r"services.yaml:1: version must be 1",
        ),
        (
            GOOD.replace("    deadline: 1\n", "    deadline: 1\n    deadline: 2\n"),
            r"services.yaml:11: duplicate key 'deadline' \(first at line 10\)",
        ),
        (
            GOOD.replace(
                '      birth_record: "Tug\'ilganlik haqidagi dalolatnoma yozuvi"',
                '      birth_record: ""',
            ),
            r"services.yaml:8 \(entry 'DX-0123'\): document 'birth_record' needs a title",
        ),
        (
            GOOD.replace("adapters: [nisuz]", "adapters: nisuz"),
            r"services.yaml:19: adapters must be a list",
        ),
        (
            GOOD.replace("services:\n", "services: [\n"),
            r"services.yaml:\d+: not valid YAML",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-top-key",
        "missing-provider",
        "missing-name",
        "unquoted-provider",
        "unquoted-requester",
        "short-stir",
        "bad-registry-number",
        "numeric-registry-number",
        "provider-among-requesters",
        "duplicate-registry-number",
        "deadline-zero",
        "working-hours-zero",
        "deadline-unknown-key",
        "deadline-two-kinds",
        "deadline-soon",
        "deadline-bool",
        "bad-adapter-name",
        "personal-data-int",
        "personal-data-text",
        "wrong-version",
        "missing-version",
        "duplicate-key",
        "empty-document-title",
        "adapters-not-a-list",
        "bad-yaml",
    ],
)
def test_bad_files_name_the_file_line_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError, match=expected) as info:
        load_services(path)
    # the full path, not just the name, so an operator finds the file
    assert str(info.value).startswith(f"{path}:")
    assert info.value.file == str(path)
    assert info.value.line is not None


def test_the_error_carries_line_and_entry_as_data(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('provider: "201000004"', "provider: 201000004"))
    with pytest.raises(SpecError) as info:
        load_services(path)
    assert info.value.line == 23
    assert info.value.entry == "DX-0789"
    assert info.value.hint is not None
    assert "quotes" in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"nope\.yaml: file not found"):
        load_services(tmp_path / "nope.yaml")


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"services.yaml:1: the file is empty"):
        load_services(write(tmp_path, "# nothing here\n"))


def test_a_list_at_the_top_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"services.yaml:1: the file must be a mapping"):
        load_services(write(tmp_path, "- version: 1\n"))


# regression: `^\d{9}$` with re.match took "201000004\n" and non-ASCII digits, so a body
# that never matches a sender, or an adapter whose topic name Kafka refuses, passed validation
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('provider: "201000004"', 'provider: "201000004\\n"'),
        ('provider: "201000004"', f'provider: "{FULLWIDTH_STIR}"'),
        ('"DX-0789"', '"DX-0789\\n"'),
        ("adapters: [nisuz]", 'adapters: ["nisuz\\n"]'),
    ],
    ids=["stir-newline", "stir-fullwidth-digits", "number-newline", "adapter-newline"],
)
def test_values_with_a_trailing_newline_or_foreign_digits_are_rejected(
    tmp_path: Path, old: str, new: str
) -> None:
    assert old in GOOD
    with pytest.raises(SpecError):
        load_services(write(tmp_path, GOOD.replace(old, new)))
