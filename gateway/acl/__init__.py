"""ACLs as code: the plan from topics.yaml, services.yaml and the adapters, and its apply."""

from __future__ import annotations

from gateway.acl.admin import AclError, create_acls, delete_acls, describe_acls
from gateway.acl.apply import AclInputs, apply_acls, load_plan
from gateway.acl.model import Acl, Operation, Pattern, Permission, Resource
from gateway.acl.plan import AclChanges, diff, plan_acls

__all__ = [
    "Acl",
    "AclChanges",
    "AclError",
    "AclInputs",
    "Operation",
    "Pattern",
    "Permission",
    "Resource",
    "apply_acls",
    "create_acls",
    "delete_acls",
    "describe_acls",
    "diff",
    "load_plan",
    "plan_acls",
]
