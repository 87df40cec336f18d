"""The store contract suite runs against every backend the project has (the PostgreSQL store is still to come).

``LSNOTIFY_TEST_DATABASE_URL`` will name the PostgreSQL server; under ``CI=true`` its absence is a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lsnotify.config import load_settings
from lsnotify.storage.base import Store
from lsnotify.storage.factory import create_store

BACKENDS = ["sqlite"]


def backend_settings(backend: str, tmp_path: Path) -> dict[str, str]:
    if backend == "sqlite":
        return {"data_dir": str(tmp_path)}
    url = os.environ.get("LSNOTIFY_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("LSNOTIFY_TEST_DATABASE_URL is not set; CI must run the PostgreSQL contract suite")
        pytest.skip("LSNOTIFY_TEST_DATABASE_URL is not set")
    return {"data_dir": str(tmp_path), "database_url": url}


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    settings = load_settings(backend_settings(request.param, tmp_path))
    store = create_store(settings)
    await store.open()
    await store.migrate()
    try:
        yield store
    finally:
        await store.close()
