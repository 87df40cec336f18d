"""The tags of taggable resources (contact methods and alarms), found by name and changed under a row lock."""

from __future__ import annotations

from collections.abc import Callable

from lsnotify.domain import Operation, Scope, Tag, TaggableResource
from lsnotify.domain.alarms import ALARM_RESOURCE_TYPE
from lsnotify.domain.contacts import EMAIL, SMS, contact_method_name
from lsnotify.storage import queries
from lsnotify.storage.alarms import select_alarm
from lsnotify.storage.base import RecordNotFound, TooManyTags
from lsnotify.storage.contact_methods import select_contact_method
from lsnotify.storage.executor import Executor
from lsnotify.storage.operations import insert_operation
from lsnotify.storage.rows import tags_from, tags_value

TagChange = Callable[[dict[str, str | None]], None]
"""Changes a resource's tags, given as a dict from key to value, in place."""


async def find_taggable(ex: Executor, scope: Scope, resource_name: str) -> TaggableResource | None:
    for protocol in (EMAIL, SMS):
        if contact_method_name(protocol, scope.region) == resource_name:
            cm = await select_contact_method(ex, scope.account_id, scope.region, protocol)
            if cm is not None:
                return TaggableResource("ContactMethod", cm.id, cm.name, cm.arn, cm.tags)
    alarm = await select_alarm(ex, scope.account_id, scope.region, resource_name)
    if alarm is None:
        return None
    return TaggableResource(ALARM_RESOURCE_TYPE, alarm.id, alarm.name, alarm.arn, alarm.tags)


async def change_tags(
    ex: Executor, scope: Scope, resource: TaggableResource, change: TagChange, op: Operation, max_tags: int | None
) -> None:
    select, update = queries.TAG_QUERIES[resource.resource_type]
    key = (scope.account_id, scope.region, resource.resource_id)
    current = await ex.fetchval(select, *key)
    if current is None:
        raise RecordNotFound(resource.name)
    tags = {tag.key: tag.value for tag in tags_from(ex.load(current))}
    change(tags)
    if max_tags is not None and len(tags) > max_tags:
        raise TooManyTags(len(tags))
    await ex.execute(update, ex.dump(tags_value(Tag(k, v) for k, v in tags.items())), *key)
    await insert_operation(ex, op)
