"""Tags on Lightsail resources: the rules for a valid tag, TagResource and UntagResource.

A resource has at most 50 tags; a key is 1–128 and a value at most 256 letters, digits, spaces or ``+ - = . _ : / @``;
the ``aws:`` prefix is reserved. Tagging an existing key overwrites its value; untagging an absent key does nothing.
"""

from __future__ import annotations

import re
from typing import Any

from lsnotify.context import RequestContext
from lsnotify.domain import Operation, OperationFor, Tag, TaggableResource
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.service import Services, scope_of
from lsnotify.service.operations import new_operation, operations_result
from lsnotify.storage.base import RecordNotFound, TooManyTags

MAX_TAGS = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
_ALLOWED = re.compile(r"[\w\s+\-=.:/@]*")


def check_tag_text(field: str, text: str, max_length: int, *, allow_empty: bool) -> None:
    if not text and not allow_empty:
        raise InvalidInputException(f"{field}: must not be empty.")
    if len(text) > max_length:
        raise InvalidInputException(f"{field}: must be at most {max_length} characters long (got {len(text)}).")
    if not _ALLOWED.fullmatch(text):
        raise InvalidInputException(
            f"{field}: {shown(text)} may contain only letters, numbers, spaces and + - = . _ : / @."
        )
    if text.lower().startswith("aws:"):
        raise InvalidInputException(f"{field}: the aws: prefix is reserved for AWS use.")


def parse_tags(raw: list[dict[str, Any]] | None, field: str = "tags") -> tuple[Tag, ...]:
    """The tags of a request, checked; shape validation has already made each a ``{key, value?}`` of strings."""
    if not raw:
        return ()
    if len(raw) > MAX_TAGS:
        raise InvalidInputException(f"{field}: a resource can have at most {MAX_TAGS} tags (got {len(raw)}).")
    tags, seen = [], set()
    for index, item in enumerate(raw):
        key, value = item.get("key"), item.get("value")
        if key is None:
            raise InvalidInputException(f"{field}[{index}].key: is required.")
        check_tag_text(f"{field}[{index}].key", key, MAX_KEY_LENGTH, allow_empty=False)
        if value is not None:
            check_tag_text(f"{field}[{index}].value", value, MAX_VALUE_LENGTH, allow_empty=True)
        if key in seen:
            raise InvalidInputException(f"{field}[{index}].key: {shown(key)} appears more than once.")
        seen.add(key)
        tags.append(Tag(key, value))
    return tuple(tags)


def tags_to_wire(tags: tuple[Tag, ...]) -> list[dict[str, str]]:
    return [{"key": tag.key} if tag.value is None else {"key": tag.key, "value": tag.value} for tag in tags]


def _operation_for(svc: Services, ctx: RequestContext, params: dict[str, Any], operation_type: str) -> OperationFor:
    """The operation the store records once it has resolved ``resourceName``, after checking ``resourceArn``."""
    name, arn, now = params["resourceName"], params.get("resourceArn"), svc.clock()

    def operation_for(resource: TaggableResource) -> Operation:
        if arn is not None and arn != resource.arn:
            raise InvalidInputException(f"resourceArn: {shown(arn)} is not the ARN of {shown(name)} ({resource.arn}).")
        return new_operation(ctx, resource.name, resource.resource_type, operation_type, now)

    return operation_for


def _not_found(ctx: RequestContext, params: dict[str, Any]) -> NotFoundException:
    name = params["resourceName"]
    return NotFoundException(f"resourceName: no taggable resource named {shown(name)} in {ctx.region}.")


async def tag_resource(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    tags = parse_tags(params["tags"])
    operation_for = _operation_for(svc, ctx, params, "TagResource")
    try:
        op = await svc.store.tag_resource(scope_of(ctx), params["resourceName"], tags, operation_for, MAX_TAGS)
    except TooManyTags as exc:
        raise InvalidInputException(
            f"tags: a resource can have at most {MAX_TAGS} tags; this change would leave "
            f"{params['resourceName']} with {exc.count}."
        ) from None
    except RecordNotFound:
        raise _not_found(ctx, params) from None
    return operations_result(op)


async def untag_resource(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    keys = params["tagKeys"]
    for index, key in enumerate(keys):
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidInputException(f"tagKeys[{index}]: must be 1 to {MAX_KEY_LENGTH} characters long.")
    operation_for = _operation_for(svc, ctx, params, "UntagResource")
    try:
        op = await svc.store.untag_resource(scope_of(ctx), params["resourceName"], keys, operation_for)
    except RecordNotFound:
        raise _not_found(ctx, params) from None
    return operations_result(op)
