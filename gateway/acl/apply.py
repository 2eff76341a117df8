"""``gateway acl plan|apply``: the plan from the declared files, compared with the broker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.acl.admin import create_acls, delete_acls, describe_acls
from gateway.acl.model import Acl
from gateway.acl.plan import AclChanges, diff, plan_acls
from gateway.kafka import KafkaConnection, start_client
from gateway.services import load_services
from gateway.signing.tls import revoked_principals
from gateway.topics import load_topics

__all__ = ["AclInputs", "apply_acls", "load_plan"]


@dataclass(frozen=True, slots=True)
class AclInputs:
    """Where the plan comes from: the declared files, the worker's app id, the TLS PKI."""

    topics_file: Path
    services_file: Path
    worker_id: str
    tls_dir: Path | None = None
    extra_revoked: frozenset[str] = frozenset()


def load_plan(inputs: AclInputs) -> frozenset[Acl]:
    """The bindings the declared exchange needs; bad files raise SpecError with their line.

    Bodies are those of topics.yaml (a body has topics only there); adapters are those of
    topics.yaml and of the services; principals whose TLS certificate the TLS CRL lists are
    denied everything.
    """
    topics = load_topics(inputs.topics_file)
    services = load_services(inputs.services_file)
    revoked = set(inputs.extra_revoked)
    if inputs.tls_dir is not None:
        revoked |= revoked_principals(inputs.tls_dir)
    notifies: dict[str, set[str]] = {}
    for service in services:
        for adapter in service.adapters:
            notifies.setdefault(adapter, set()).update({service.provider, *service.requesters})
    return plan_acls(
        notifies=notifies,
        bodies=[b.code for b in topics.bodies],
        adapters=sorted(set(topics.adapters) | set(services.adapters)),
        worker_id=inputs.worker_id,
        revoked=revoked,
    )


async def apply_acls(
    connection: KafkaConnection,
    wanted: frozenset[Acl],
    *,
    prune: bool = False,
    dry_run: bool = False,
) -> AclChanges:
    """Bring the broker's ACLs to ``wanted``: create the missing; with ``prune`` delete the
    extra (their principals lose that access at their next request). Returns the changes
    (made, or that would be made with ``dry_run``)."""
    admin = connection.admin()
    await start_client(connection, admin)
    try:
        changes = diff(wanted, await describe_acls(admin), prune=prune)
        if not dry_run:
            await create_acls(admin, changes.create)
            await delete_acls(admin, changes.delete)
    finally:
        await admin.close()
    return changes
