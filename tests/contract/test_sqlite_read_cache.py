"""SQLite's contact-method read cache never hides a committed write: this process's, or another process's.

Another process is a second ``SqliteStore`` on the same file, with connections of its own, as ``lsnotify worker`` or
a second ``serve`` would have.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_store import SCOPE, contact_method, operation

from lsnotify.domain.contacts import EMAIL, SMS
from lsnotify.storage.sqlite.store import SqliteStore


async def opened(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    await store.open()
    await store.migrate()
    return store


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[SqliteStore, SqliteStore]]:
    first = await opened(tmp_path / "lsnotify.db")
    second = await opened(tmp_path / "lsnotify.db")
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_a_write_of_this_store_is_read_at_once(stores: tuple[SqliteStore, SqliteStore]) -> None:
    store, _ = stores
    assert await store.list_contact_methods(SCOPE) == []  # cached: empty
    sms = contact_method(protocol=SMS, endpoint="+14255550100")
    await store.create_contact_method(sms, operation(name="SMS-us-east-1"))
    assert await store.list_contact_methods(SCOPE) == [sms]  # same loop iteration as the write's acknowledgement
    await store.delete_contact_method(SCOPE, SMS, operation(kind="DeleteContactMethod"))
    assert await store.list_contact_methods(SCOPE) == []


async def test_a_write_of_another_store_is_read_from_the_next_loop_iteration(
    stores: tuple[SqliteStore, SqliteStore],
) -> None:
    reader, writer = stores
    assert await reader.list_contact_methods(SCOPE) == []
    await asyncio.sleep(0)
    assert await reader.list_contact_methods(SCOPE) == []  # cached, and nothing changed
    email = contact_method()
    await writer.create_contact_method(email, operation())
    await asyncio.sleep(0)  # a request sent after that acknowledgement is handled in a later iteration
    assert await reader.list_contact_methods(SCOPE) == [email]
    assert await reader.list_contact_methods(SCOPE, [EMAIL]) == [email]
    await writer.delete_contact_method(SCOPE, EMAIL, operation(kind="DeleteContactMethod"))
    await asyncio.sleep(0)
    assert await reader.list_contact_methods(SCOPE) == []
