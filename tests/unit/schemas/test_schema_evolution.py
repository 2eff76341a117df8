"""BACKWARD_TRANSITIVE checks, on schemas written here and on the shipped ones."""

from __future__ import annotations

import copy
import io
import json
import shutil
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
from fastavro import schemaless_writer

from gateway.schemas import (
    MalformedBodyError,
    Problem,
    Rule,
    SchemaFileError,
    SchemaRegistry,
    UnknownSchemaError,
    check_compatibility,
    main_check,
    samples,
)

NS = "uz.gov.exchange"

BASE_FIELDS: list[dict[str, Any]] = [
    {"name": "title", "doc": "a string", "type": "string"},
    {"name": "count", "doc": "an int", "type": "int"},
    {
        "name": "colour",
        "doc": "an enum",
        "type": {"type": "enum", "name": "Colour", "doc": "c", "symbols": ["red", "green", "blue"]},
    },
    {
        "name": "digest",
        "doc": "a fixed",
        "type": {"type": "fixed", "name": "Digest", "doc": "d", "size": 4},
    },
    {"name": "note", "doc": "nullable", "type": ["null", "string"], "default": None},
    {
        "name": "inner",
        "doc": "a nested record",
        "type": {
            "type": "record",
            "name": "Inner",
            "doc": "i",
            "fields": [{"name": "x", "doc": "x", "type": "string"}],
        },
    },
    {"name": "items", "doc": "an array", "type": {"type": "array", "items": f"{NS}.Inner"}},
    {"name": "tags", "doc": "a map", "type": {"type": "map", "values": "int"}},
    {"name": "at", "doc": "a time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
]

SAMPLE_THING: dict[str, Any] = {
    "title": "t",
    "count": 3,
    "colour": "blue",
    "digest": b"abcd",
    "note": None,
    "inner": {"x": "y"},
    "items": [{"x": "z"}],
    "tags": {"a": 1},
    "at": datetime(2025, 3, 10, 9, 15, tzinfo=UTC),
}


def thing(fields: list[dict[str, Any]], name: str = "Thing") -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": NS, "doc": "test", "fields": fields}


def write(root: Path, name: str, version: int, schema: dict[str, Any]) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"v{version}.avsc").write_text(json.dumps(schema, indent=2), encoding="utf-8")


def field(fields: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(f for f in fields if f["name"] == name)


def evolve(root: Path, change: Any) -> list[Problem]:
    """Write Thing v1 (the base) and v2 (the base after ``change``) and check them."""
    new = copy.deepcopy(BASE_FIELDS)
    change(new)
    write(root, "Thing", 1, thing(BASE_FIELDS))
    write(root, "Thing", 2, thing(new))
    return check_compatibility(root)


def encode_v1(registry: SchemaRegistry) -> bytes:
    """SAMPLE_THING written with Thing v1 (the registry itself always writes the newest)."""
    buffer = io.BytesIO()
    schemaless_writer(buffer, registry.schema("Thing", 1).parsed, SAMPLE_THING)
    return buffer.getvalue()


def _set_type(name: str, type_: Any) -> Any:
    return lambda fields: field(fields, name).__setitem__("type", type_)


def _add(new_field: dict[str, Any]) -> Any:
    return lambda fields: fields.append(new_field)


def _set_inner(path: str, type_: Any) -> Any:
    def change(fields: list[dict[str, Any]]) -> None:
        inner = field(fields, "inner")["type"]["fields"]
        field(inner, path)["type"] = type_

    return change


def _colour(symbols: list[str], **extra: Any) -> Any:
    return _set_type(
        "colour", {"type": "enum", "name": "Colour", "doc": "c", "symbols": symbols, **extra}
    )


def _rename_inner(**extra: Any) -> Any:
    def change(fields: list[dict[str, Any]]) -> None:
        field(fields, "inner")["type"].update(name="Nested", **extra)
        field(fields, "items")["type"]["items"] = f"{NS}.Nested"

    return change


COMPATIBLE = {
    "add-field-with-default": _add({"name": "added", "doc": "new", "type": "int", "default": 0}),
    "add-nullable-field": _add(
        {"name": "added", "doc": "new", "type": ["null", "string"], "default": None}
    ),
    "remove-field": lambda fields: fields.remove(field(fields, "title")),
    "promote-int-to-long": _set_type("count", "long"),
    "promote-int-to-double": _set_type("count", "double"),
    "string-to-bytes": _set_type("title", "bytes"),
    "make-nullable": _set_type("title", ["null", "string"]),
    "add-enum-symbol": _colour(["red", "green", "blue", "black"]),
    "remove-enum-symbol-with-default": _colour(["red", "green"], default="red"),
    "widen-union": _set_type("note", ["null", "string", "int"]),
    "rename-field-with-alias": lambda fields: field(fields, "title").update(
        name="heading", aliases=["title"]
    ),
    "rename-record-with-alias": _rename_inner(aliases=[f"{NS}.Inner"]),
}

# case: (change, paths of the problems, the rule broken)
INCOMPATIBLE: dict[str, tuple[Any, set[str], Rule]] = {
    "add-field-without-default": (
        _add({"name": "added", "doc": "new", "type": "int"}),
        {"added"},
        Rule.MISSING_DEFAULT,
    ),
    "string-to-int": (_set_type("title", "int"), {"title"}, Rule.TYPE_MISMATCH),
    "long-to-int": (_set_type("at", "int"), {"at"}, Rule.TYPE_MISMATCH),
    "remove-enum-symbol": (_colour(["red", "green"]), {"colour"}, Rule.ENUM_SYMBOL),
    "change-fixed-size": (
        _set_type("digest", {"type": "fixed", "name": "Digest", "doc": "d", "size": 8}),
        {"digest"},
        Rule.FIXED_SIZE,
    ),
    "nullable-to-required": (
        lambda fields: field(fields, "note").update(type="string", default=""),
        {"note<null>"},
        Rule.TYPE_MISMATCH,
    ),
    "narrow-union": (
        lambda fields: field(fields, "note").update(type="null"),
        {"note<string>"},
        Rule.TYPE_MISMATCH,
    ),
    "nested-field-type": (_set_inner("x", "int"), {"inner.x", "items[].x"}, Rule.TYPE_MISMATCH),
    "map-values": (
        _set_type("tags", {"type": "map", "values": "string"}),
        {"tags{}"},
        Rule.TYPE_MISMATCH,
    ),
    "rename-record-without-alias": (_rename_inner(), {"inner", "items[]"}, Rule.NAME_MISMATCH),
    "logical-type": (
        # the canonical form leaves logical types out: only the check sees this change
        _set_type("at", {"type": "long", "logicalType": "timestamp-micros"}),
        {"at"},
        Rule.LOGICAL_TYPE,
    ),
    "string-into-union-without-string": (
        _set_type("title", ["null", "int"]),
        {"title"},
        Rule.UNION_BRANCH,
    ),
}


@pytest.mark.parametrize("case", sorted(COMPATIBLE))
def test_compatible_change_passes(tmp_path: Path, case: str) -> None:
    assert evolve(tmp_path, COMPATIBLE[case]) == []
    # and fastavro agrees: v2 reads what v1 wrote
    registry = SchemaRegistry.from_directory(tmp_path)
    decoded = registry.decode(registry.fingerprint("Thing", 1), encode_v1(registry))
    assert (decoded.version, decoded.reader_version) == (1, 2)


@pytest.mark.parametrize("case", sorted(INCOMPATIBLE))
def test_incompatible_change_is_found(tmp_path: Path, case: str) -> None:
    change, paths, rule = INCOMPATIBLE[case]
    problems = evolve(tmp_path, change)
    assert {p.path for p in problems} == paths
    assert {(p.schema, p.writer_version, p.reader_version, p.rule) for p in problems} == {
        ("Thing", 1, 2, rule)
    }
    assert f"Thing v1 -> v2 at {problems[0].path}" in str(problems[0])
    assert f"[{rule}]" in str(problems[0])


def test_nested_and_array_paths(tmp_path: Path) -> None:
    def change(fields: list[dict[str, Any]]) -> None:
        inner = field(fields, "inner")["type"]["fields"]
        inner.append({"name": "y", "doc": "new", "type": "string"})

    problems = evolve(tmp_path, change)
    assert {p.path for p in problems} == {"inner.y", "items[].y"}
    assert {p.rule for p in problems} == {Rule.MISSING_DEFAULT}


@pytest.mark.parametrize(
    "case",
    ["add-field-without-default", "string-to-int", "remove-enum-symbol", "change-fixed-size"],
)
def test_fastavro_fails_where_the_check_says_so(tmp_path: Path, case: str) -> None:
    """The checker's verdict is the reader's behaviour, not an opinion."""
    evolve(tmp_path, INCOMPATIBLE[case][0])
    registry = SchemaRegistry.from_directory(tmp_path)
    with pytest.raises(MalformedBodyError):
        registry.decode(registry.fingerprint("Thing", 1), encode_v1(registry))


def test_backward_transitive_checks_every_older_version(tmp_path: Path) -> None:
    added = {"name": "added", "doc": "new", "type": "int", "default": 0}
    write(tmp_path, "Thing", 1, thing(BASE_FIELDS))
    write(tmp_path, "Thing", 2, thing([*BASE_FIELDS, added]))
    write(
        tmp_path, "Thing", 3, thing([*BASE_FIELDS, {"name": "added", "doc": "new", "type": "int"}])
    )
    problems = check_compatibility(tmp_path)
    # v3 reads v2 (which has the field) but not v1 (which lacks it and v3 has no default)
    assert [(p.writer_version, p.reader_version, p.path) for p in problems] == [(1, 3, "added")]


def test_recursive_types_terminate(tmp_path: Path) -> None:
    node: dict[str, Any] = {
        "type": "record",
        "name": "Node",
        "namespace": NS,
        "doc": "a tree",
        "fields": [
            {"name": "label", "doc": "l", "type": "string"},
            {"name": "children", "doc": "c", "type": {"type": "array", "items": f"{NS}.Node"}},
        ],
    }
    write(tmp_path, "Node", 1, node)
    v2 = copy.deepcopy(node)
    v2["fields"].append({"name": "weight", "doc": "w", "type": "int"})
    write(tmp_path, "Node", 2, v2)
    # the recursion guard reports a recursive type's problem once, where it is first met
    assert [p.path for p in check_compatibility(tmp_path)] == ["weight"]


# -- the shipped schemas and a realistic next version ------------------------------------------


def test_shipped_schemas_are_compatible(registry: SchemaRegistry) -> None:
    assert check_compatibility(registry) == []


@pytest.fixture
def with_request_v2(tmp_path: Path) -> Path:
    """The shipped schemas plus a hypothetical Request v2 that adds a defaulted ``priority``."""
    with as_file(files("gateway.schemas").joinpath("avro")) as shipped:
        shutil.copytree(shipped, tmp_path / "avro")
    root = tmp_path / "avro"
    v2 = json.loads((root / "Request" / "v1.avsc").read_text(encoding="utf-8"))
    v2["fields"].append(
        {
            "name": "priority",
            "doc": "How urgently the applicant needs the answer.",
            "type": {
                "type": "enum",
                "name": "Priority",
                "doc": "Urgency of a request.",
                "symbols": ["normal", "urgent"],
                "default": "normal",
            },
            "default": "normal",
        }
    )
    write(root, "Request", 2, v2)
    return root


def test_a_newer_reader_decodes_an_older_message(
    registry: SchemaRegistry, with_request_v2: Path
) -> None:
    assert check_compatibility(with_request_v2) == []
    newer = SchemaRegistry.from_directory(with_request_v2)
    assert newer.latest_version("Request") == 2
    assert newer.fingerprint("Request", 1) == registry.fingerprint("Request")

    old_body = registry.encode("Request", samples.sample_request())
    decoded = newer.decode(registry.fingerprint("Request"), old_body)
    assert (decoded.name, decoded.version, decoded.reader_version) == ("Request", 1, 2)
    assert decoded.record == {**samples.sample_request(), "priority": "normal"}

    new_body = newer.encode("Request", {**samples.sample_request(), "priority": "urgent"})
    decoded = newer.decode(newer.fingerprint("Request"), new_body)
    assert (decoded.version, decoded.record["priority"]) == (2, "urgent")
    as_v1 = newer.decode(newer.fingerprint("Request"), new_body, reader_version=1)
    assert as_v1.record == samples.sample_request()

    # an old gateway does not know v2: readers are upgraded before writers
    with pytest.raises(UnknownSchemaError):
        registry.decode(newer.fingerprint("Request"), new_body)


def test_main_check(tmp_path: Path, with_request_v2: Path) -> None:
    out = io.StringIO()
    assert main_check(out=out) == 0
    assert "BACKWARD_TRANSITIVE compatible" in out.getvalue()

    out = io.StringIO()
    assert main_check(with_request_v2, out=out) == 0

    bad = tmp_path / "bad"
    evolve(bad, INCOMPATIBLE["string-to-int"][0])
    out = io.StringIO()
    assert main_check(bad, out=out) == 1
    assert "Thing v1 -> v2 at title" in out.getvalue()

    broken = tmp_path / "broken"
    write(broken, "Thing", 2, thing(BASE_FIELDS))
    out = io.StringIO()
    assert main_check(broken, out=out) == 2
    assert "without gaps" in out.getvalue()


# -- the folder's own rules ------------------------------------------------------------------


def test_folder_rules(tmp_path: Path) -> None:
    write(tmp_path, "Thing", 1, thing(BASE_FIELDS))
    (tmp_path / "Thing" / "V2.avsc").write_text("{}", encoding="utf-8")
    with pytest.raises(SchemaFileError, match=r"v<N>\.avsc"):
        SchemaRegistry.from_directory(tmp_path)


def test_name_must_match_folder(tmp_path: Path) -> None:
    write(tmp_path, "Thing", 1, thing(BASE_FIELDS, name="Other"))
    with pytest.raises(SchemaFileError, match="its folder says"):
        SchemaRegistry.from_directory(tmp_path)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "Thing"
    folder.mkdir()
    (folder / "v1.avsc").write_text('{\n  "type": "record",\n  oops\n}', encoding="utf-8")
    with pytest.raises(SchemaFileError) as caught:
        SchemaRegistry.from_directory(tmp_path)
    assert caught.value.line == 3
    assert "v1.avsc:3" in str(caught.value)


def test_invalid_avro(tmp_path: Path) -> None:
    write(tmp_path, "Thing", 1, thing([{"name": "a", "doc": "a", "type": "no.such.Type"}]))
    with pytest.raises(SchemaFileError, match="not a valid Avro schema"):
        SchemaRegistry.from_directory(tmp_path)


def test_a_change_outside_the_canonical_form_keeps_the_fingerprint(tmp_path: Path) -> None:
    """Docs, defaults, aliases, logical types: same bytes on the wire, same fingerprint."""
    write(tmp_path, "Thing", 1, thing(BASE_FIELDS))
    changed = copy.deepcopy(BASE_FIELDS)
    changed[0]["doc"] = "a better sentence"
    changed[0]["default"] = ""
    write(tmp_path, "Thing", 2, thing(changed))
    registry = SchemaRegistry.from_directory(tmp_path)
    assert registry.fingerprint("Thing", 1) == registry.fingerprint("Thing", 2)
    assert check_compatibility(registry) == []
    decoded = registry.decode(registry.fingerprint("Thing"), registry.encode("Thing", SAMPLE_THING))
    assert (decoded.version, decoded.reader_version) == (1, 2)
    assert decoded.record == SAMPLE_THING


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SchemaFileError, match="not a directory"):
        SchemaRegistry.from_directory(tmp_path / "missing")


def test_folder_names_and_top_level_type(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(SchemaFileError, match="CamelCase"):
        SchemaRegistry.from_directory(tmp_path)
    shutil.rmtree(tmp_path / "notes")
    write(tmp_path, "Thing", 1, {"type": "enum", "name": "Thing", "symbols": ["a"]})
    with pytest.raises(SchemaFileError, match="must be a record"):
        SchemaRegistry.from_directory(tmp_path)


def test_unknown_reader_version(with_request_v2: Path) -> None:
    newer = SchemaRegistry.from_directory(with_request_v2)
    body = newer.encode("Request", {**samples.sample_request(), "priority": "normal"})
    with pytest.raises(UnknownSchemaError, match="no version 3"):
        newer.decode(newer.fingerprint("Request"), body, reader_version=3)


def test_decode_at_reads_a_docs_only_version(tmp_path: Path) -> None:
    # v2 changes only a doc: the same fingerprint names v1, so the hot path's decode_at must
    # resolve v1 into v2's shape (no generated reader for that pair), from the given offset
    evolve(tmp_path, lambda fields: field(fields, "title").__setitem__("doc", "retitled"))
    registry = SchemaRegistry.from_directory(tmp_path)
    assert registry.fingerprint("Thing", 1) == registry.fingerprint("Thing", 2)
    body = encode_v1(registry)
    expected = registry.decode(registry.fingerprint("Thing"), body).record
    assert registry.decode_at("Thing", b"head" + body, 4) == expected
    with pytest.raises(MalformedBodyError):
        registry.decode_at("Thing", b"head" + body[:-1], 4)
