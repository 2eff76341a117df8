"""The ACL plan: each principal gets what its role needs and nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.acl import Acl, AclInputs, Operation, Pattern, Permission, Resource, diff, load_plan
from gateway.acl.plan import plan_acls
from gateway.exceptions import SpecError

ROOT = Path(__file__).resolve().parents[3]
BODIES = ["201000001", "201000002"]


def _of(plan: frozenset[Acl], principal: str) -> set[tuple[str, str, str, str]]:
    return {
        (a.resource.name, a.name, a.pattern.name, a.operation.name)
        for a in plan
        if a.principal == principal and a.permission is Permission.ALLOW
    }


def _plan(**over: object) -> frozenset[Acl]:
    args: dict[str, object] = {
        "bodies": BODIES,
        "adapters": ["portal"],
        "worker_id": "exchange-gateway",
        "notifies": {"portal": {"201000001"}},
    }
    args.update(over)
    return plan_acls(**args)  # type: ignore[arg-type]


def test_a_body_gets_its_own_outbox_inbox_and_groups_only() -> None:
    assert _of(_plan(), "201000001") == {
        ("TOPIC", "exchange.outbox.201000001", "LITERAL", "WRITE"),
        ("TOPIC", "exchange.outbox.201000001", "LITERAL", "DESCRIBE"),
        ("TOPIC", "exchange.inbox.201000001", "LITERAL", "READ"),
        ("TOPIC", "exchange.inbox.201000001", "LITERAL", "DESCRIBE"),
        ("GROUP", "201000001.", "PREFIXED", "READ"),
        ("CLUSTER", "kafka-cluster", "LITERAL", "IDEMPOTENT_WRITE"),
    }


def test_an_adapter_reads_its_topic_and_writes_only_the_inboxes_of_its_services() -> None:
    rights = _of(_plan(), "adapter-portal")
    assert ("TOPIC", "exchange.adapter.portal", "LITERAL", "READ") in rights
    assert ("TOPIC", "exchange.adapter-dlq.portal", "LITERAL", "WRITE") in rights
    assert ("TOPIC", "exchange.events", "LITERAL", "WRITE") in rights
    assert ("GROUP", "gateway-adapter-portal", "LITERAL", "READ") in rights
    inboxes = {name for kind, name, _, op in rights if name.startswith("exchange.inbox.")}
    assert inboxes == {"exchange.inbox.201000001"}
    assert not any(op == "READ" and "inbox" in name for _, name, _, op in rights)
    assert not any(pattern == "PREFIXED" for _, _, pattern, _ in rights)


def test_the_worker_reads_outboxes_and_owns_its_tables() -> None:
    rights = _of(_plan(), "gateway-worker")
    assert ("TOPIC", "exchange.outbox.", "PREFIXED", "READ") in rights
    assert ("TOPIC", "exchange.inbox.", "PREFIXED", "WRITE") in rights
    assert ("TOPIC", "exchange.inbox.", "PREFIXED", "READ") not in rights
    assert ("TOPIC", "exchange-gateway-", "PREFIXED", "ALL") in rights
    assert ("GROUP", "exchange-gateway", "LITERAL", "READ") in rights
    assert ("GROUP", "gateway-adapter-portal", "LITERAL", "DESCRIBE") in rights


def test_the_operator_reads_no_message_topic_and_writes_nothing() -> None:
    rights = _of(_plan(), "operator")
    reads = {name for _, name, _, op in rights if op == "READ"}
    assert reads == {"exchange.events", "operator."}
    assert not any(op in ("WRITE", "ALL", "ALTER") for _, _, _, op in rights)


def test_a_revoked_principal_is_denied_everything_and_allowed_nothing() -> None:
    plan = _plan(revoked={"201000002", "adapter-portal"})
    assert _of(plan, "201000002") == set()
    denied = {(a.resource, a.operation) for a in plan if a.principal == "201000002"}
    assert denied == {
        (Resource.TOPIC, Operation.ALL),
        (Resource.GROUP, Operation.ALL),
        (Resource.CLUSTER, Operation.ALL),
    }
    assert all(a.permission is Permission.DENY for a in plan if a.principal == "201000002")
    assert _of(plan, "adapter-portal") == set()


def test_diff_creates_the_missing_and_prunes_only_when_asked() -> None:
    wanted = _plan()
    stale = Acl(
        "209999999", Resource.TOPIC, "exchange.outbox.209999999", Pattern.LITERAL, Operation.WRITE
    )
    have = set(list(wanted)[:5]) | {stale}
    kept = diff(wanted, have, prune=False)
    assert set(kept.create) == set(wanted) - have
    assert kept.extra == (stale,)
    assert kept.delete == ()
    pruned = diff(wanted, have, prune=True)
    assert pruned.delete == (stale,)
    assert diff(wanted, wanted, prune=True).empty


def test_the_repositorys_files_make_a_plan_and_a_bad_file_names_its_line(tmp_path: Path) -> None:
    plan = load_plan(AclInputs(ROOT / "topics.yaml", ROOT / "services.yaml", "exchange-gateway"))
    assert {a.principal for a in plan} >= {
        "201000001",
        "201000004",
        "gateway-worker",
        "adapter-eqaror",
        "adapter-nisuz",
        "adapter-portal",
        "operator",
    }
    bad = tmp_path / "topics.yaml"
    bad.write_text("version: 1\nbodies:\n  - code: 12\n    name: x\nadapters: []\ntopics: []\n")
    with pytest.raises(SpecError, match=r"topics.yaml:3"):
        load_plan(AclInputs(bad, ROOT / "services.yaml", "exchange-gateway"))
