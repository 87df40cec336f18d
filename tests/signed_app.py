"""An lsnotify app in-process (``AppThread``: ``build_app`` on its own loop, with a fresh SQLite data directory) and
requests to it signed by botocore exactly as an SDK signs them, sent through ``asgi_request`` without a socket.

The store's contents are read through a connection of their own (``snapshot``: read-only SQLite, or asyncpg on the
app's loop when the app runs on PostgreSQL), so a test can tell that a request changed nothing: every row of every
table, as committed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials

from lsnotify.config import Settings
from lsnotify.testing.app_thread import AppThread
from lsnotify.testing.asgi import asgi_request
from lsnotify.testing.credentials import Credentials

URL = "http://127.0.0.1:8080/"
REGION = "us-east-1"
JSON_1_1 = "application/x-amz-json-1.1"


BOOKKEEPING = frozenset({"commit_count"})
"""Tables that count the store's own commits, which background ticks (the scraper's claims, the evaluator) make
whatever a request does: not data a request could change."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from the call to the answer, measured around the in-process round trip

    def json(self) -> Any:
        return orjson.loads(self.body)


class SignedApp:
    """One app, one access key, and ``call``/``send`` for signed API requests."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        base = Settings(data_dir=data_dir, access_log=False, run_worker=False, evaluate_alarms=False)
        self.app = AppThread(replace(base, **settings))
        self.data_dir = data_dir
        self.credentials: Credentials | None = None
        self._reader: sqlite3.Connection | None = None
        self._postgres: asyncpg.Connection | None = None
        self._postgres_query = ""

    def start(self) -> SignedApp:
        self.app.start()
        self.credentials = self.app.run(self.app.first_credentials())
        return self

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._postgres is not None:
            self.app.run(self._postgres.close())
        self.app.stop()

    def call(self, target: str, params: Any) -> Response:
        """``target`` is ``Prefix.Operation``, or a bare Lightsail operation name."""
        return self.send(target, orjson.dumps(params))

    def send(self, target: str, body: bytes, *, content_type: str = JSON_1_1) -> Response:
        """A request with any body bytes, signed over them."""
        if "." not in target:
            target = f"Lightsail_20161128.{target}"
        assert self.credentials is not None
        aws = AWSRequest(method="POST", url=URL, data=body)
        aws.headers["Content-Type"] = content_type
        aws.headers["X-Amz-Target"] = target
        credentials = self.credentials
        signer = SigV4Auth(
            BotocoreCredentials(credentials.access_key_id, credentials.secret_access_key), "lightsail", REGION
        )
        signer.add_auth(aws)
        headers = [(b"host", b"127.0.0.1:8080")]
        headers += [(name.lower().encode(), str(value).encode()) for name, value in aws.headers.items()]
        started = time.perf_counter()
        status, raw_headers, answer = self.app.run(asgi_request(self.app.components.app, "POST", URL, headers, body))
        seconds = time.perf_counter() - started
        return Response(status, {k.decode(): v.decode() for k, v in raw_headers}, answer, seconds)

    def get(self, path: str) -> Response:
        started = time.perf_counter()
        status, raw_headers, answer = self.app.run(
            asgi_request(self.app.components.app, "GET", URL.rstrip("/") + path, [(b"host", b"127.0.0.1:8080")], b"")
        )
        return Response(status, {k.decode(): v.decode() for k, v in raw_headers}, answer, time.perf_counter() - started)

    def snapshot(self) -> dict[str, Any]:
        """Every row of every table of the store, as committed, in a stable order; ``BOOKKEEPING`` left out."""
        if self.app.settings.database_url:
            return self.app.run(self._postgres_snapshot())
        if self._reader is None:
            (database,) = self.data_dir.glob("*.db")
            self._reader = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        tables = [row[0] for row in self._reader.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = [table for table in tables if table not in BOOKKEEPING]
        return {table: sorted(self._reader.execute(f'SELECT * FROM "{table}"'), key=repr) for table in tables}

    async def _postgres_snapshot(self) -> dict[str, Any]:
        """One round trip: each table's rows as a JSON array, ordered by their text."""
        if self._postgres is None:
            self._postgres = await asyncpg.connect(self.app.settings.database_url)
            tables = await self._postgres.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            self._postgres_query = " UNION ALL ".join(
                f"SELECT '{name}', (SELECT coalesce(json_agg(r ORDER BY r::text), '[]') FROM \"{name}\" r)::text"
                for (name,) in tables
                if name not in BOOKKEEPING
            )
        return {name: rows for name, rows in await self._postgres.fetch(self._postgres_query)}


def running(data_dir: Path, **settings: Any) -> Iterator[SignedApp]:
    """For a fixture: ``yield from running(tmp_path)``."""
    app = SignedApp(data_dir, **settings).start()
    try:
        yield app
    finally:
        app.stop()
