"""SQLite's contact-method read cache never hides a committed write: this process's, or another process's.

Another process is a second ``SqliteStore`` on the same file, with connections of its own, as ``lsnotify worker`` or
a second ``serve`` would have.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_store import NOW, SCOPE, contact_method, message_for, operation, token_for

from lsnotify.domain import Scope, Tag
from lsnotify.domain.contacts import EMAIL, SMS, VALID
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


async def test_a_write_forgets_only_the_scope_it_changed(stores: tuple[SqliteStore, SqliteStore]) -> None:
    store, _ = stores
    other = Scope("222222222222", "eu-west-1")
    await store.create_contact_method(contact_method(), operation())
    await store.create_contact_method(contact_method(other), operation(other))
    kept = await store.list_contact_methods(other)
    await store.tag_resource(
        SCOPE, "Email-us-east-1", [Tag("team", "sre")], lambda _: operation(kind="TagResource"), 50
    )
    assert (await store.list_contact_methods(SCOPE))[0].tags == (Tag("team", "sre"),)
    again = await store.list_contact_methods(other)
    assert again == kept and again[0] is kept[0]  # still the cached object: the write did not touch its scope
    await store.untag_resource(SCOPE, "Email-us-east-1", ["team"], lambda _: operation(kind="UntagResource"))
    assert (await store.list_contact_methods(SCOPE))[0].tags == ()
    await store.delete_contact_method(other, EMAIL, operation(other, kind="DeleteContactMethod"))
    assert await store.list_contact_methods(other) == []
    assert len(await store.list_contact_methods(SCOPE)) == 1


async def test_a_confirmed_verification_is_read_at_once(stores: tuple[SqliteStore, SqliteStore]) -> None:
    store, _ = stores
    cm = contact_method()
    await store.create_contact_method(cm, operation(), [message_for(cm)], token_for(cm, "hash-1"))
    assert (await store.list_contact_methods(SCOPE))[0].status != VALID
    await store.confirm_verification("hash-1", NOW + 10)
    assert (await store.list_contact_methods(SCOPE))[0].status == VALID


async def test_another_store_s_write_among_this_store_s_own_is_read(stores: tuple[SqliteStore, SqliteStore]) -> None:
    store, another = stores
    other = Scope("222222222222", "eu-west-1")
    await store.create_contact_method(contact_method(), operation())
    assert await store.list_contact_methods(other) == []  # cached: empty
    await another.create_contact_method(contact_method(other), operation(other))
    await store.tag_resource(
        SCOPE, "Email-us-east-1", [Tag("team", "sre")], lambda _: operation(kind="TagResource"), 50
    )
    await asyncio.sleep(0)
    assert [cm.account_id for cm in await store.list_contact_methods(other)] == ["222222222222"]
