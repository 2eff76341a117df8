"""The ACLs the exchange needs, derived from topics.yaml, services.yaml and the adapters.

Pure: :func:`plan_acls` turns the declared bodies, adapters and the worker's app id into the
set of bindings each principal needs and nothing more; :func:`diff` compares that set with
what the broker holds. The table (also in ``docs/security.md``):

========================  ==================================================================
principal                 rights
========================  ==================================================================
body ``<code>``           WRITE, DESCRIBE ``exchange.outbox.<code>``; READ, DESCRIBE
                          ``exchange.inbox.<code>``; READ groups ``<code>.*``;
                          IDEMPOTENT_WRITE on the cluster
``gateway-worker``        READ outboxes; WRITE inboxes, events, rejections, adapter topics;
                          READ events, adapter and dead-letter topics (tracking, lag, the
                          dashboard); ALL on its own topics ``<app id>-*`` (changelogs,
                          repartitions); READ its group ``<app id>``; DESCRIBE the adapters'
                          groups (lag); IDEMPOTENT_WRITE
``adapter-<name>``        READ ``exchange.adapter.<name>``; WRITE (and READ, for replay) its
                          dead-letter topic; WRITE its adapter topic (replay) and events;
                          WRITE the inboxes of the bodies of the services naming it (its
                          notices); READ its group ``gateway-adapter-<name>``;
                          IDEMPOTENT_WRITE
``operator``              DESCRIBE every topic and group, DESCRIBE_CONFIGS; CREATE and
                          ALTER_CONFIGS topics ``exchange.*`` (``topics apply``); DESCRIBE
                          the cluster; READ the events (groups ``operator.*``). Never READ a
                          message topic or WRITE anything: it sees no message.
revoked principals        DENY ALL on every topic, group and the cluster (takes effect at
                          the next request, open connections included)
========================  ==================================================================

The broker (``User:broker``) is the only super user; ACLs themselves are changed with its
identity (``gateway acl apply`` on the broker host), since the right to change ACLs is the
right to everything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from gateway.acl.model import CLUSTER_NAME, Acl, Operation, Pattern, Permission, Resource
from gateway.kafka.identities import OPERATOR, WORKER, adapter_identity
from gateway.topics.names import (
    EVENTS,
    REJECTED,
    adapter_dlq_topic,
    adapter_topic,
    inbox_topic,
    outbox_topic,
)

__all__ = ["AclChanges", "diff", "plan_acls"]

_OUTBOX_PREFIX = outbox_topic("")
_INBOX_PREFIX = inbox_topic("")
_ADAPTER_PREFIX = adapter_topic("")
_DLQ_PREFIX = adapter_dlq_topic("")

R, W, D = Operation.READ, Operation.WRITE, Operation.DESCRIBE


def _topic(principal: str, name: str, *ops: Operation, prefixed: bool = False) -> list[Acl]:
    pattern = Pattern.PREFIXED if prefixed else Pattern.LITERAL
    return [Acl(principal, Resource.TOPIC, name, pattern, op) for op in ops]


def _group(principal: str, name: str, *ops: Operation, prefixed: bool = False) -> list[Acl]:
    pattern = Pattern.PREFIXED if prefixed else Pattern.LITERAL
    return [Acl(principal, Resource.GROUP, name, pattern, op) for op in ops]


def _cluster(principal: str, *ops: Operation) -> list[Acl]:
    return [Acl(principal, Resource.CLUSTER, CLUSTER_NAME, Pattern.LITERAL, op) for op in ops]


def body_acls(code: str) -> list[Acl]:
    """A body: its own outbox to write, its own inbox to read, its own groups."""
    return [
        *_topic(code, outbox_topic(code), W, D),
        *_topic(code, inbox_topic(code), R, D),
        *_group(code, f"{code}.", R, prefixed=True),
        *_cluster(code, Operation.IDEMPOTENT_WRITE),
    ]


def worker_acls(
    worker_id: str, adapter_groups: Iterable[str], principal: str = WORKER
) -> list[Acl]:
    """The exchange worker (``worker_id`` is its Faust app id: group and table-topic prefix)."""
    acls = [
        *_topic(principal, _OUTBOX_PREFIX, R, D, prefixed=True),
        *_topic(principal, _INBOX_PREFIX, W, D, prefixed=True),
        *_topic(principal, EVENTS, R, W, D),
        *_topic(principal, REJECTED, W, D),
        *_topic(principal, _ADAPTER_PREFIX, R, W, D, prefixed=True),
        *_topic(principal, _DLQ_PREFIX, R, D, prefixed=True),
        *_topic(principal, f"{worker_id}-", Operation.ALL, prefixed=True),
        *_group(principal, worker_id, R, D),
        *_cluster(principal, Operation.IDEMPOTENT_WRITE, D),
    ]
    for group in adapter_groups:
        acls += _group(principal, group, D)
    return acls


def adapter_acls(adapter: str, group: str, notifies: Iterable[str] = ()) -> list[Acl]:
    """One adapter runner: its topic, its dead letters, the events, its group, and the
    inboxes of the bodies whose services name it (an adapter may notify them, e.g. of an
    E-qaror registration number), no other inbox."""
    principal = adapter_identity(adapter)
    return [
        *(acl for code in sorted(set(notifies)) for acl in _topic(principal, inbox_topic(code), W)),
        *_topic(principal, adapter_topic(adapter), R, W, D),
        *_topic(principal, adapter_dlq_topic(adapter), R, W, D),
        *_topic(principal, EVENTS, W, D),
        *_group(principal, group, R, D),
        *_cluster(principal, Operation.IDEMPOTENT_WRITE),
    ]


def operator_acls(principal: str = OPERATOR) -> list[Acl]:
    """Operators' tools: describe everything, create and configure exchange topics."""
    return [
        *_topic(principal, "*", D, Operation.DESCRIBE_CONFIGS),
        *_topic(principal, "exchange.", Operation.CREATE, Operation.ALTER_CONFIGS, prefixed=True),
        *_group(principal, "*", D),
        *_cluster(principal, D),
        # lifecycle events (ids, stages, times; no personal data) for tools that follow cases
        *_topic(principal, EVENTS, R),
        *_group(principal, f"{principal}.", R, prefixed=True),
    ]


def deny_acls(principal: str) -> list[Acl]:
    """A revoked principal: denied everything, whatever else allows it."""
    deny = Permission.DENY
    return [
        Acl(principal, Resource.TOPIC, "*", Pattern.LITERAL, Operation.ALL, deny),
        Acl(principal, Resource.GROUP, "*", Pattern.LITERAL, Operation.ALL, deny),
        Acl(principal, Resource.CLUSTER, CLUSTER_NAME, Pattern.LITERAL, Operation.ALL, deny),
    ]


def plan_acls(
    *,
    bodies: Iterable[str],
    adapters: Iterable[str],
    worker_id: str,
    revoked: Collection[str] = (),
    group_of: dict[str, str] | None = None,
    notifies: Mapping[str, Collection[str]] | None = None,
) -> frozenset[Acl]:
    """Every binding the exchange needs; ``revoked`` principals get DENY instead of ALLOW.

    ``group_of`` maps an adapter to its runner's consumer group (``gateway-adapter-<name>``
    unless given); ``notifies`` maps an adapter to the bodies of the services that name it.
    """
    groups = {a: (group_of or {}).get(a, f"gateway-adapter-{a}") for a in adapters}
    acls: list[Acl] = []
    for code in sorted(set(bodies)):
        acls += deny_acls(code) if code in revoked else body_acls(code)
    for adapter, group in sorted(groups.items()):
        principal = adapter_identity(adapter)
        told = [b for b in (notifies or {}).get(adapter, ()) if b not in revoked]
        acls += deny_acls(principal) if principal in revoked else adapter_acls(adapter, group, told)
    acls += deny_acls(WORKER) if WORKER in revoked else worker_acls(worker_id, groups.values())
    acls += deny_acls(OPERATOR) if OPERATOR in revoked else operator_acls()
    for principal in revoked:  # a revoked principal no longer declared stays denied
        acls += deny_acls(principal)
    return frozenset(acls)


@dataclass(frozen=True, slots=True)
class AclChanges:
    """What ``acl apply`` does: bindings to create, and extra ones (removed with prune)."""

    create: tuple[Acl, ...]
    extra: tuple[Acl, ...]
    prune: bool

    @property
    def delete(self) -> tuple[Acl, ...]:
        return self.extra if self.prune else ()

    @property
    def empty(self) -> bool:
        return not self.create and not self.delete


def diff(wanted: Collection[Acl], actual: Collection[Acl], *, prune: bool) -> AclChanges:
    """Compare the plan with the broker: missing bindings are created; bindings the plan
    does not hold are drift, deleted only with ``prune``."""
    have, want = set(actual), set(wanted)
    return AclChanges(
        create=tuple(sorted(want - have)), extra=tuple(sorted(have - want)), prune=prune
    )
