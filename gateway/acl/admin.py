"""Reading and changing the broker's ACLs (DescribeAcls, CreateAcls, DeleteAcls v1).

aiokafka has the request structures but no admin methods for them; these few functions send
them with an admin client of the connection layer and turn error codes into
:class:`AclError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request

from gateway.acl.model import Acl, Operation, Pattern, Permission, Resource
from gateway.exceptions import BrokerError

__all__ = ["AclError", "create_acls", "delete_acls", "describe_acls"]


class AclError(BrokerError):
    """The broker refused to list or change ACLs (not authorised, or a bad binding)."""

    retriable = False


class _Describe(
    Request[  # type: ignore[misc]  # aiokafka's Request is untyped
        DescribeAclsRequest_v1
    ]
):
    API_KEY = 29

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> DescribeAclsRequest_v1:
        # every binding: any resource, name, pattern, principal, host, operation, permission
        return request_struct_class(
            Resource.ANY, None, Pattern.ANY, None, None, Operation.ANY, Permission.ANY
        )


class _Create(
    Request[  # type: ignore[misc]  # aiokafka's Request is untyped
        CreateAclsRequest_v1
    ]
):
    API_KEY = 30

    def __init__(self, acls: Sequence[Acl]) -> None:
        self._acls = acls

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class([acl.wire() for acl in self._acls])


class _Delete(
    Request[  # type: ignore[misc]  # aiokafka's Request is untyped
        DeleteAclsRequest_v1
    ]
):
    API_KEY = 31

    def __init__(self, acls: Sequence[Acl]) -> None:
        self._acls = acls

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> DeleteAclsRequest_v1:
        return request_struct_class([acl.wire() for acl in self._acls])


def _raise(code: int, message: str | None, what: str) -> None:
    if code:
        error = for_code(code)
        raise AclError(
            f"the broker refused to {what}: {error.__name__} {message or ''}".strip(),
            hint="ACLs are changed with the broker's own identity (GATEWAY_KAFKA_IDENTITY="
            "broker, on the broker host); check that the broker runs with the authorizer",
        )


async def _send(admin: AIOKafkaAdminClient, request: Request[Any]) -> Any:
    return await admin._send_request(request)


async def describe_acls(admin: AIOKafkaAdminClient) -> frozenset[Acl]:
    """Every ACL binding on the cluster."""
    response = await _send(admin, _Describe())
    _raise(response.error_code, response.error_message, "list the ACLs")
    found: set[Acl] = set()
    for rtype, rname, rpattern, entries in response.resources:
        for principal, host, operation, permission in entries:
            kind, _, name = principal.partition(":")
            found.add(
                Acl(
                    name if kind == "User" else principal,
                    Resource(rtype),
                    rname,
                    Pattern(rpattern),
                    Operation(operation),
                    Permission(permission),
                    host,
                )
            )
    return frozenset(found)


async def create_acls(admin: AIOKafkaAdminClient, acls: Sequence[Acl]) -> None:
    """Create ``acls`` (in one request); AclError on the first refusal."""
    if not acls:
        return
    response = await _send(admin, _Create(acls))
    for (code, message), acl in zip(response.creation_responses, acls, strict=True):
        _raise(code, message, f"create {acl.describe()}")


async def delete_acls(admin: AIOKafkaAdminClient, acls: Sequence[Acl]) -> None:
    """Delete exactly ``acls`` (each filter matches one binding)."""
    if not acls:
        return
    response = await _send(admin, _Delete(acls))
    for code, message, _matching in response.filter_responses:
        _raise(code, message, "delete ACLs")
