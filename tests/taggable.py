"""What a store resolves a resource name to for a tag change, seen through a change that is refused before it
writes anything."""

from __future__ import annotations

from lsnotify.domain import Operation, Scope, TaggableResource
from lsnotify.storage.base import RecordNotFound, Store


class _Seen(Exception):
    def __init__(self, resource: TaggableResource) -> None:
        self.resource = resource


def _refuse(resource: TaggableResource) -> Operation:
    raise _Seen(resource)


async def resolved(store: Store, scope: Scope, name: str) -> TaggableResource | None:
    """The resource ``name`` resolves to in ``scope``, or None when it resolves to nothing."""
    try:
        await store.untag_resource(scope, name, [], _refuse)
    except _Seen as seen:
        return seen.resource
    except RecordNotFound:
        return None
    raise AssertionError("the store changed tags without asking for the operation to record")
