"""Kafka ACL bindings as values: what may which principal do to which resource.

The numbers are Kafka's own wire codes (``org.apache.kafka.common.acl`` and
``org.apache.kafka.common.resource``), so a binding maps one to one onto the CreateAcls,
DescribeAcls and DeleteAcls requests.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Acl", "Operation", "Pattern", "Permission", "Resource"]


class Resource(enum.IntEnum):
    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class Pattern(enum.IntEnum):
    ANY = 1
    MATCH = 2
    LITERAL = 3
    PREFIXED = 4


class Operation(enum.IntEnum):
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12


class Permission(enum.IntEnum):
    ANY = 1
    DENY = 2
    ALLOW = 3


CLUSTER_NAME = "kafka-cluster"


@dataclass(frozen=True, slots=True, order=True)
class Acl:
    """One ACL binding; ``principal`` is the bare name (``User:`` is added on the wire)."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation
    permission: Permission = Permission.ALLOW
    host: str = "*"

    @property
    def wire_principal(self) -> str:
        return f"User:{self.principal}"

    def wire(self) -> tuple[int, str, int, str, str, int, int]:
        """The binding as CreateAcls and DeleteAcls v1 list it (a delete filter matching
        exactly this binding)."""
        return (
            self.resource,
            self.name,
            self.pattern,
            self.wire_principal,
            self.host,
            self.operation,
            self.permission,
        )

    def describe(self) -> str:
        """One line for plans and drift reports."""
        where = (
            "cluster"
            if self.resource is Resource.CLUSTER
            else (
                f"{self.resource.name.lower()} {self.name}"
                + ("*" if self.pattern is Pattern.PREFIXED else "")
            )
        )
        return f"{self.permission.name} {self.principal} {self.operation.name} {where}"
