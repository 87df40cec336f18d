"""`lsnotify serve`'s code path, in this process with uvicorn left out: the admin token generated for a server on a
non-loopback address, the uvicorn options, and /healthz naming (only) what failed; and ThreadedServer's limits."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import socket
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import lsnotify.web.admin_token
from lsnotify import cli
from lsnotify.config import Settings
from lsnotify.storage.sqlite.store import SqliteStore
from lsnotify.testing.asgi import Lifespan, asgi_request
from lsnotify.testing.server import ThreadedServer
from lsnotify.web.app import build_app
from lsnotify.web.server_options import connection_limit


def get(app: Any, path: str, *headers: tuple[bytes, bytes]) -> list[tuple[int, Any]]:
    """GET ``path`` from ``app`` (its lifespan run around it), without and with ``headers``: each status and JSON."""

    async def run() -> list[tuple[int, Any]]:
        lifespan = Lifespan(app)
        await lifespan.startup()
        try:
            answers = []
            local = (b"host", b"127.0.0.1")
            for extra in ([], list(headers)):
                found = await asgi_request(app, "GET", f"http://127.0.0.1{path}", [local, *extra], b"")
                answers.append((found[0], json.loads(found[2])))
            return answers
        finally:
            await lifespan.shutdown()

    return asyncio.run(run())


def serve(data_dir: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    """Run `lsnotify serve` up to where it would start uvicorn; what it would have given uvicorn."""
    started: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.update(app=app, **options))
    # leave pytest's log capture in place; the module, not the command of the same name that lsnotify.cli exports
    monkeypatch.setattr(importlib.import_module("lsnotify.cli.serve"), "configure_logging", lambda level: None)
    result = CliRunner().invoke(cli.main, ["serve", "--data-dir", str(data_dir), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return started


def test_a_server_reachable_from_other_machines_generates_its_admin_token_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # This machine may listen on loopback addresses only, so the decision is made to say "reachable from others".
    monkeypatch.setattr(lsnotify.web.admin_token, "needs_admin_token", lambda host: True)
    data_dir = tmp_path / "data"
    with caplog.at_level(logging.INFO, "lsnotify"):
        started = serve(data_dir, monkeypatch, "--port", "8099")
    path = data_dir / "admin-token"
    token = path.read_text().strip()
    assert len(token) >= 40 and stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = [record.getMessage() for record in caplog.records if token in record.getMessage()]
    assert len(shown) == 1 and str(path) in shown[0]
    limit = connection_limit(Settings(data_dir=data_dir))
    assert {"timeout_keep_alive": 5, "limit_concurrency": limit, "port": 8099}.items() <= started.items()
    assert started["http"].header_timeout == 10

    bearer = (b"authorization", f"Bearer {token}".encode())
    without, with_token = get(started["app"], "/_lsnotify/messages", bearer)
    assert without[0] == 401 and with_token == (200, {"messages": []})

    caplog.clear()
    with caplog.at_level(logging.INFO, "lsnotify"):
        serve(data_dir, monkeypatch, "--keep-alive-timeout", "7", "--max-connections", "20")
    assert path.read_text().strip() == token
    assert not [record for record in caplog.records if token in record.getMessage()]
    assert any(str(path) in record.getMessage() for record in caplog.records)


def test_a_loopback_server_or_a_configured_token_generates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(tmp_path / "loopback", monkeypatch, "--host", "127.0.0.2")
    assert not (tmp_path / "loopback" / "admin-token").exists()
    monkeypatch.setattr(lsnotify.web.admin_token, "needs_admin_token", lambda host: True)
    monkeypatch.setenv("LSNOTIFY_ADMIN_TOKEN", "given")
    serve(tmp_path / "given", monkeypatch)
    assert not (tmp_path / "given" / "admin-token").exists()


class UnreachableStore(SqliteStore):
    async def ping(self) -> None:
        raise OSError("could not connect to db.internal:5432 as user lsnotify_admin")


def test_healthz_names_the_failed_dependency_and_logs_its_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path, access_log=False, run_worker=False, evaluate_alarms=False)
    components = build_app(settings, store=UnreachableStore(tmp_path / "lsnotify.db"))
    with caplog.at_level(logging.WARNING, "lsnotify"):
        ((status, body), _) = get(components.app, "/healthz")
    assert (status, body) == (503, {"status": "unavailable", "failed": "store"})
    assert any("db.internal:5432" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("setting", "sent"),
    [
        (
            "body_timeout",
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Lightsail_20161128.GetContactMethods\r\n"
            b"Content-Length: 100\r\n\r\n{",
        ),
        ("header_timeout", b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar"),
    ],
)
def test_threaded_server_bounds_slow_bodies_and_heads_as_serve_does(tmp_path: Path, setting: str, sent: bytes) -> None:
    settings = Settings(data_dir=tmp_path, access_log=False, **{setting: 0.5})
    with (
        ThreadedServer(settings) as server,
        socket.create_connection(("127.0.0.1", server.settings.port), timeout=10) as slow,
    ):
        slow.sendall(sent)
        started = time.monotonic()
        assert server.client().get_contact_methods()["contactMethods"] == []
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ") and 0.4 < time.monotonic() - started < 5
