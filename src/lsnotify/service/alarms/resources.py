"""Monitored resources: the user's instances, load balancers and databases that alarms watch.

A name follows Lightsail's ``ResourceName`` rule and is unique within an (account, region) whatever the type, since
PutAlarm names a resource by name alone. A resource is registered with ``lsnotify resources add``, the console's
**Add resource** (both log a ``Create*`` operation, as Lightsail logs creating one) or by its first metric datapoint
(nobody asked for it: no operation); deleting it deletes its alarms and metric data, as deleting a Lightsail
resource does.
"""

from __future__ import annotations

import re
from typing import Any

from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import INSTANCE, LOAD_BALANCER, RELATIONAL_DATABASE, RESOURCE_TYPES, MonitoredResource
from lsnotify.domain.json_fields import json_fields
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.service.operations import new_operation
from lsnotify.storage.base import RecordNotFound, ResourceExists, Store

MAX_NAME_LENGTH = 255
_RESOURCE_NAME = re.compile(r"\w[\w\-]*\w", re.ASCII)
CREATE_OPERATION_TYPES = {
    INSTANCE: "CreateInstance",
    LOAD_BALANCER: "CreateLoadBalancer",
    RELATIONAL_DATABASE: "CreateRelationalDatabase",
}
"""The Lightsail operation type a registration is logged as, by resource type."""


def check_resource_name(name: str, field: str) -> str:
    if len(name) > MAX_NAME_LENGTH or not _RESOURCE_NAME.fullmatch(name):
        raise InvalidInputException(
            f"{field}: {shown(name)} is not a valid resource name: 2 to {MAX_NAME_LENGTH} letters, digits, _ and -, "
            "starting and ending with a letter, digit or _."
        )
    return name


def check_resource_type(resource_type: str, field: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        choices = ", ".join(RESOURCE_TYPES)
        raise InvalidInputException(f"{field}: must be one of {choices} (got {shown(resource_type)}).")
    return resource_type


def new_resource(scope: Scope, resource_type: str, name: str, now: float) -> MonitoredResource:
    """A resource to register, checked."""
    check_resource_type(resource_type, "resourceType")
    check_resource_name(name, "resourceName")
    return MonitoredResource(scope.account_id, scope.region, name, resource_type, new_id(), now)


_RESOURCE_FIELDS = json_fields("name", "resource_type", "arn", "account_id", "region", "created_at")


def resource_to_json(resource: MonitoredResource) -> dict[str, Any]:
    return _RESOURCE_FIELDS(resource)


async def add_resource(store: Store, scope: Scope, resource_type: str, name: str, now: float) -> MonitoredResource:
    """Register the resource, logging its ``Create*`` operation with it (as Lightsail logs creating one)."""
    resource = new_resource(scope, resource_type, name, now)
    operation = new_operation(scope, name, resource_type, CREATE_OPERATION_TYPES[resource_type], now)
    try:
        await store.add_resource(resource, operation)
    except ResourceExists as exc:
        raise InvalidInputException(
            f"resourceName: {scope.region} of account {scope.account_id} already has a resource named {shown(name)} "
            f"({exc.existing.resource_type})."
        ) from None
    return resource


async def delete_resource(store: Store, scope: Scope, name: str) -> int:
    """Delete the resource with its alarms and metric data; return how many alarms went with it."""
    try:
        return await store.delete_resource(scope, name)
    except RecordNotFound:
        raise NotFoundException(
            f"resourceName: no monitored resource named {shown(name)} in {scope.region} of account {scope.account_id}."
        ) from None
