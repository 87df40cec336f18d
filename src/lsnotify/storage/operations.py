"""Operation records, written with the change they record and read back by GetOperation(s); any dialect."""

from __future__ import annotations

from lsnotify.domain import Operation, Scope
from lsnotify.storage import queries
from lsnotify.storage.executor import Executor
from lsnotify.storage.rows import operation_from_row, operation_values


async def insert_operation(ex: Executor, op: Operation) -> None:
    await ex.execute(queries.INSERT_OPERATION, *operation_values(op))


async def get_operation(ex: Executor, scope: Scope, operation_id: str) -> Operation | None:
    row = await ex.fetchrow(queries.GET_OPERATION, scope.account_id, scope.region, operation_id)
    return operation_from_row(row) if row else None


async def list_operations(
    ex: Executor, scope: Scope, limit: int, resource_name: str | None, after: tuple[float, str] | None
) -> list[Operation]:
    clauses, params = queries.given(("resource_name = ?", resource_name), ("(created_at, id) < (?, ?)", after))
    sql = "".join(
        [queries.LIST_OPERATIONS, *(f" AND {c}" for c in clauses), " ORDER BY created_at DESC, id DESC LIMIT ?"]
    )
    rows = await ex.fetch(queries.query_of(sql), scope.account_id, scope.region, *params, limit)
    return [operation_from_row(row) for row in rows]
