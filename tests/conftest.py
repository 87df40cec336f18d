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


PROCESS_SUITES = ("e2e", "cluster")
"""Suites whose every test starts processes (servers, workers, CLIs): marked ``process``."""

POSTGRES_FIXTURES = {"postgres_database", "postgres_url"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what `make check` leaves out: ``process`` for the suites that start processes, ``postgres`` for the
    tests that need the PostgreSQL server."""
    tests = Path(__file__).parent
    for item in items:
        suite = item.path.relative_to(tests).parts[0] if item.path.is_relative_to(tests) else ""
        if suite in PROCESS_SUITES:
            item.add_marker(pytest.mark.process)
        if suite == "cluster" or POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())) or needs_postgres(item):
            item.add_marker(pytest.mark.postgres)


def needs_postgres(item: pytest.Item) -> bool:
    """A test named for PostgreSQL, or one run with the ``postgres`` parameter (the contract suite's backends)."""
    if "postgres" in getattr(item, "originalname", item.name):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgres" in callspec.params.values()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """postgres: drop the databases the end-to-end servers had (see ``postgres_server.backend_env``)."""
    drop_end_to_end_databases()
