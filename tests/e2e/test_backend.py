"""The end-to-end suite runs on the backend it is asked to (``LSNOTIFY_TEST_BACKEND``): its servers really store
their records there, so a green PostgreSQL run means PostgreSQL was exercised."""

from __future__ import annotations

import os

import pytest

from harness import Account, ServerProcess
from lsnotify.storage.factory import SQLITE_FILE
from postgres_server import BACKEND_VARIABLE, query

# Stored on the backend under test: run again with the servers on PostgreSQL.
pytestmark = pytest.mark.backend


def test_the_server_stores_its_records_in_the_backend_under_test(server: ServerProcess, account: Account) -> None:
    server.client(account).create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    sqlite_file = server.data_dir / SQLITE_FILE
    if os.environ.get(BACKEND_VARIABLE, "sqlite") == "postgres":
        assert not sqlite_file.exists()
        sql = "SELECT protocol FROM contact_methods WHERE account_id = $1"
        assert [row["protocol"] for row in query(server.env["LSNOTIFY_DATABASE_URL"], sql, account.account_id)] == [
            "SMS"
        ]
    else:
        assert sqlite_file.exists() and "LSNOTIFY_DATABASE_URL" not in server.env
