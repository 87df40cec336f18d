"""Opening a store: ``open_store`` opens it, applies the pending migrations unless told not to, and closes it after
the block; the app's lifespan makes a store ready itself unless ``serve`` already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsnotify.config import load_settings
from lsnotify.storage.factory import open_store
from lsnotify.testing.asgi import Lifespan
from lsnotify.web.app import build_app


async def test_open_store_migrates_and_closes_after_the_block(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path)})
    async with open_store(settings) as store:
        assert await store.list_access_keys() == []  # the tables are there
        assert await store.migrate() == []  # and nothing is left to apply
    with pytest.raises(RuntimeError, match="not open"):
        await store.ping()


async def test_open_store_can_leave_the_migrations_to_the_caller(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path)})
    async with open_store(settings, migrate=False) as store:
        applied = await store.migrate()
    assert applied and applied[0].startswith("0001_")


async def test_open_store_closes_the_store_when_the_block_fails(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path)})
    with pytest.raises(KeyError):
        async with open_store(settings) as store:
            raise KeyError("the caller's own failure")
    with pytest.raises(RuntimeError, match="not open"):
        await store.ping()


async def test_the_lifespan_prepares_a_new_store_with_its_first_account(tmp_path: Path) -> None:
    components = build_app(load_settings({"data_dir": str(tmp_path), "run_worker": False}))
    lifespan = Lifespan(components.app)
    await lifespan.startup()
    try:
        (key,) = await components.store.list_access_keys()
        assert key.account_id in (tmp_path / "credentials").read_text()
    finally:
        await lifespan.shutdown()


async def test_the_lifespan_leaves_the_store_alone_once_serve_has_prepared_it(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path), "run_worker": False, "evaluate_alarms": False})
    lifespan = Lifespan(build_app(settings, prepared=True).app)
    await lifespan.startup()
    await lifespan.shutdown()
    assert not (tmp_path / "credentials").exists()
    async with open_store(settings, migrate=False) as store:
        assert await store.migrate()  # every migration still pending: the lifespan applied none
