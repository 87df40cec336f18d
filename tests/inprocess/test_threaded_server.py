"""ThreadedServer: a real lsnotify HTTP server on a free port, in a thread, for clients in other processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lsnotify.clock import OffsetClock
from lsnotify.config import Settings
from lsnotify.testing import ThreadedServer

ONE_TRY = Config(retries={"max_attempts": 1})


def healthz(url: str) -> Any:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return json.loads(response.read())


def test_serves_over_http_and_stops_cleanly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    threads_before = set(threading.enumerate())
    with ThreadedServer() as server:
        assert server.url.startswith("http://127.0.0.1:") and server.settings.port != 8080
        assert healthz(server.url) == {"status": "ok"}
        # Links in emails name the real port.
        assert server.settings.effective_public_url == server.url
        lightsail = server.client(config=ONE_TRY)
        lightsail.create_contact_method(protocol="Email", contactEndpoint="threaded@example.com")
        (cm,) = lightsail.get_contact_methods()["contactMethods"]
        assert cm["arn"].split(":")[4] == server.credentials.account_id
        (data_dir,) = tmp_path.glob("lsnotify-server-*")
        assert (data_dir / "credentials").exists()
    assert list(tmp_path.iterdir()) == []  # its own temporary data directory is gone
    assert set(threading.enumerate()) == threads_before
    with socket.socket() as probe:  # and the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", server.settings.port))
    with pytest.raises(RuntimeError, match="starts once"):
        server.start()


def test_responses_are_not_held_back_by_nagles_algorithm() -> None:
    """Without TCP_NODELAY every response waited ~40 ms for the client's delayed ACK (headers and body are two
    writes); asyncio sets it only on sockets whose protocol says TCP."""
    with ThreadedServer() as server:
        lightsail = server.client(config=ONE_TRY)
        lightsail.get_contact_methods()  # leaves its keep-alive connection open while the client lives

        async def nodelay_of_open_connections() -> list[int]:
            assert server._server is not None
            return [
                connection.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                for connection in server._server.server_state.connections
            ]

        flags = server.run(nodelay_of_open_connections())
        lightsail.close()
    assert flags and all(flags), flags


def test_accounts_are_isolated_and_the_store_is_reachable() -> None:
    with ThreadedServer() as server:
        other = server.new_account("111122223333")
        server.client(config=ONE_TRY).create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
        assert server.client(other, config=ONE_TRY).get_contact_methods()["contactMethods"] == []
        keys = server.run(server.components.store.list_access_keys())
        assert {key.account_id for key in keys} == {server.credentials.account_id, "111122223333"}
        assert other.secret_access_key not in repr(other)  # secrets stay out of logs and assertion output


@pytest.mark.process  # the AWS CLI in another process
def test_a_client_in_another_process_reaches_it_through_the_environment(tmp_path: Path) -> None:
    with ThreadedServer() as server:
        server.client(config=ONE_TRY).create_contact_method(protocol="Email", contactEndpoint="cli@example.com")
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(server.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "lightsail", "get-contact-methods", "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    (cm,) = json.loads(result.stdout)["contactMethods"]
    assert cm["contactEndpoint"] == "cli@example.com"


def test_an_injected_clock_is_the_servers_time() -> None:
    # A server living two hours ahead: requests signed now are outside its 15-minute SigV4 window.
    with ThreadedServer(clock=OffsetClock(7200)) as server:
        with pytest.raises(ClientError) as raised:
            server.client(config=ONE_TRY).get_contact_methods()
        error = raised.value.response["Error"]
        assert error["Code"] == "InvalidSignatureException" and error["Message"].startswith("Signature expired")


def test_restarting_on_the_same_data_keeps_records_and_the_first_account(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", access_log=False)
    with ThreadedServer(settings) as first:
        first.client(config=ONE_TRY).create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
        credentials = first.credentials
    assert (tmp_path / "data" / "credentials").exists()  # a data directory given is kept
    with ThreadedServer(settings) as second:
        assert second.credentials == credentials
        (cm,) = second.client(config=ONE_TRY).get_contact_methods()["contactMethods"]
        assert cm["contactEndpoint"] == "+14255550100"


def test_a_server_that_cannot_start_says_why_and_leaves_nothing_running(tmp_path: Path) -> None:
    threads_before = set(threading.enumerate())
    settings = Settings(data_dir=tmp_path, secret_key="not-a-fernet-key")
    with pytest.raises(ValueError, match="secret key must be 32 url-safe base64-encoded bytes"):
        ThreadedServer(settings).start()
    (tmp_path / "lsnotify.db").mkdir()  # the database path is taken by a directory: the store cannot open
    with pytest.raises(RuntimeError, match="lsnotify failed to start"):
        ThreadedServer(Settings(data_dir=tmp_path)).start()
    assert set(threading.enumerate()) == threads_before
