"""The tags of taggable resources (contact methods and alarms): a resource found by name and its tags changed in
one transaction, under a row lock."""

from __future__ import annotations

from collections.abc import Callable

from lsnotify.domain import Operation, OperationFor, Scope, Tag, TaggableResource, lightsail_arn
from lsnotify.domain.alarms import ALARM_RESOURCE_TYPE
from lsnotify.domain.contacts import EMAIL, SMS, contact_method_name
from lsnotify.storage import queries
from lsnotify.storage.base import RecordNotFound, TooManyTags
from lsnotify.storage.executor import Executor
from lsnotify.storage.operations import insert_operation
from lsnotify.storage.rows import tags_from, tags_value

TagChange = Callable[[dict[str, str | None]], None]
"""Changes a resource's tags, given as a dict from key to value, in place."""


async def change_tags(
    ex: Executor,
    scope: Scope,
    resource_name: str,
    change: TagChange,
    operation_for: OperationFor,
    max_tags: int | None,
) -> Operation:
    """Find ``resource_name`` (the contact method of that name, else the alarm of that name), lock it, change its
    tags and record ``operation_for(resource)``; the operation is returned."""
    resource = await _lock_taggable(ex, scope, resource_name)
    if resource is None:
        raise RecordNotFound(resource_name)
    op = operation_for(resource)
    tags = {tag.key: tag.value for tag in resource.tags}
    change(tags)
    if max_tags is not None and len(tags) > max_tags:
        raise TooManyTags(len(tags))
    key = (scope.account_id, scope.region, resource.resource_id)
    await ex.execute(
        queries.SET_TAGS[resource.resource_type], ex.dump(tags_value(Tag(k, v) for k, v in tags.items())), *key
    )
    await insert_operation(ex, op)
    return op


async def _lock_taggable(ex: Executor, scope: Scope, resource_name: str) -> TaggableResource | None:
    resource_type, row = "ContactMethod", None
    for protocol in (EMAIL, SMS):
        if contact_method_name(protocol, scope.region) == resource_name:
            row = await ex.fetchrow(queries.TAGGABLE_CONTACT_METHOD, scope.account_id, scope.region, protocol)
            break
    if row is None:
        resource_type = ALARM_RESOURCE_TYPE
        row = await ex.fetchrow(queries.TAGGABLE_ALARM, scope.account_id, scope.region, resource_name)
        if row is None:
            return None
    resource_id, tags = row
    arn = lightsail_arn(scope.region, scope.account_id, resource_type, resource_id)
    return TaggableResource(resource_type, resource_id, resource_name, arn, tags_from(ex.load(tags)))
