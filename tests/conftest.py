"""Fixtures shared by every suite: a session-wide real server, fresh accounts, and boto3 clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import Account, ServerProcess, running_server
from postgres_server import drop_end_to_end_databases
from smtp_sink import SmtpSink

# clients: a sample *user's* suite, run in a project of its own by tests/inprocess/test_user_suite.py
collect_ignore = ["user_suite"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One `lsnotify serve` for the session; tests isolate themselves by using fresh accounts."""
    yield from running_server(tmp_path_factory.mktemp("server"), env={"LSNOTIFY_KEY_CACHE_TTL": "0"})


@pytest.fixture
def account(server: ServerProcess) -> Account:
    return server.new_account()


@pytest.fixture
def lightsail(server: ServerProcess, account: Account) -> Any:
    """A boto3 Lightsail client for a fresh account in us-east-1."""
    return server.client(account)


@pytest.fixture
def client_for(server: ServerProcess) -> Callable[..., Any]:
    return server.client


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) for the tests of one module."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """postgres (issue 5): drop the databases the end-to-end servers had (see ``postgres_server.backend_env``)."""
    drop_end_to_end_databases()
