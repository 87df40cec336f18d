"""Accounts and their access keys, in any dialect."""

from __future__ import annotations

from lsnotify.domain import AccessKey
from lsnotify.storage import queries
from lsnotify.storage.base import RecordNotFound
from lsnotify.storage.executor import Executor
from lsnotify.storage.rows import access_key_from_row, access_key_values


async def create_access_key(ex: Executor, key: AccessKey) -> None:
    await ex.execute(queries.INSERT_ACCOUNT, key.account_id, key.created_at)
    await ex.execute(queries.INSERT_ACCESS_KEY, *access_key_values(key))


async def get_access_key(ex: Executor, access_key_id: str) -> AccessKey | None:
    row = await ex.fetchrow(queries.GET_ACCESS_KEY, access_key_id)
    return access_key_from_row(row) if row else None


async def list_access_keys(ex: Executor, account_id: str | None) -> list[AccessKey]:
    if account_id is None:
        rows = await ex.fetch(queries.LIST_ACCESS_KEYS)
    else:
        rows = await ex.fetch(queries.LIST_ACCOUNT_ACCESS_KEYS, account_id)
    return [access_key_from_row(row) for row in rows]


async def set_access_key_status(ex: Executor, access_key_id: str, status: str) -> None:
    if await ex.execute(queries.SET_ACCESS_KEY_STATUS, status, access_key_id) == 0:
        raise RecordNotFound(access_key_id)


async def delete_access_key(ex: Executor, access_key_id: str) -> None:
    if await ex.execute(queries.DELETE_ACCESS_KEY, access_key_id) == 0:
        raise RecordNotFound(access_key_id)
