"""Lightsail ``Operation`` records: creating them for every change, and GetOperation(s)(ForResource).

Every change completes before its call returns, so each operation is ``Succeeded`` and terminal at once.
Listings are newest first, 200 a page, with an opaque ``pageToken``.
"""

from __future__ import annotations

from typing import Any

from lsnotify.context import RequestContext
from lsnotify.domain import Operation, Scope, new_log_id
from lsnotify.domain.json_fields import json_fields
from lsnotify.errors import NotFoundException, shown
from lsnotify.service import Services, paging, scope_of

PAGE_SIZE = 200


def new_operation(
    owner: RequestContext | Scope,
    resource_name: str,
    resource_type: str,
    operation_type: str,
    now: float,
    details: str | None = None,
) -> Operation:
    return Operation(
        id=new_log_id(),
        account_id=owner.account_id,
        region=owner.region,
        resource_name=resource_name,
        resource_type=resource_type,
        operation_type=operation_type,
        created_at=now,
        status_changed_at=now,
        operation_details=details,
    )


_BEFORE_LOCATION = json_fields("id", "resource_name", "resource_type", "created_at")
_AFTER_LOCATION = json_fields(
    "is_terminal",
    "operation_details",
    "operation_type",
    "status",
    "status_changed_at",
    "error_code",
    "error_details",
)


def operation_to_wire(op: Operation) -> dict[str, Any]:
    """The Lightsail ``Operation`` shape, members in the model's order; every region is one ``all`` zone."""
    return {
        **_BEFORE_LOCATION(op),
        "location": {"availabilityZone": "all", "regionName": op.region},
        **_AFTER_LOCATION(op),
    }


def operations_result(*ops: Operation) -> dict[str, Any]:
    """The output of every mutating call: ``{"operations": [...]}``."""
    return {"operations": [operation_to_wire(op) for op in ops]}


def encode_page_token(last: Operation) -> str:
    return paging.encode_page_token(last.created_at, last.id)


def decode_page_token(token: str) -> tuple[float, str]:
    created_at, op_id = paging.decode_page_token(token, float, str)
    return created_at, op_id


async def _page(
    svc: Services, ctx: RequestContext, params: dict[str, Any], resource_name: str | None
) -> dict[str, Any]:
    token = params.get("pageToken")
    after = decode_page_token(token) if token else None
    ops = await svc.store.list_operations(scope_of(ctx), limit=PAGE_SIZE + 1, resource_name=resource_name, after=after)
    result: dict[str, Any] = {"operations": [operation_to_wire(op) for op in ops[:PAGE_SIZE]]}
    if len(ops) > PAGE_SIZE:
        result["nextPageToken"] = encode_page_token(ops[PAGE_SIZE - 1])
    return result


async def get_operation(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    op = await svc.store.get_operation(scope_of(ctx), params["operationId"])
    if op is None:
        raise NotFoundException(f"operationId: no operation {shown(params['operationId'])} in {ctx.region}.")
    return {"operation": operation_to_wire(op)}


async def get_operations(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return await _page(svc, ctx, params, None)


async def get_operations_for_resource(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return await _page(svc, ctx, params, params["resourceName"])
