"""The connection limit serve gives uvicorn: the setting when set, else derived from the open-file limit."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from lsnotify.config import Settings
from lsnotify.web.server_options import FILES_KEPT_BACK, MOST_CONNECTIONS, connection_limit, uvicorn_options


@pytest.fixture
def soft_limit() -> Iterator[int]:
    """The soft open-file limit lowered to 1024 (a common default) for the test, then put back."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        yield min(1024, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_set_limit_is_used_as_it_is(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_connections=7)
    assert connection_limit(settings) == 7
    assert uvicorn_options(settings)["limit_concurrency"] == 7


def test_the_default_leaves_files_for_the_store_and_outbound_connections(tmp_path: Path, soft_limit: int) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.max_connections == 0
    assert connection_limit(settings) == min(MOST_CONNECTIONS, soft_limit - FILES_KEPT_BACK)
    assert uvicorn_options(settings)["limit_concurrency"] < soft_limit
