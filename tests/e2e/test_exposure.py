"""What a server exposes, on real `lsnotify serve` processes: slow and idle connections, the connection limit, the
dev inbox's Host checks, file modes in the data directory, secrets from files, and the access log."""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import socket
import stat
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from signing import RawClient, post, target
from test_dev_inbox import request_json

from harness import ServerProcess, running_server, wait_until
from lsnotify.awsjson.cloudwatch import target_prefix

FAST = {"LSNOTIFY_BODY_TIMEOUT": "1", "LSNOTIFY_HEADER_TIMEOUT": "1", "LSNOTIFY_KEEP_ALIVE_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**FAST, "LSNOTIFY_PUBLIC_URL": "https://notify.example.org"}
    yield from running_server(Path(tmp_path_factory.mktemp("exposure")), env=env)


def connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def head(target: str, length: int) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {target}\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {length}\r\n\r\n"
    ).encode("latin-1")


def get(server: ServerProcess, path: str) -> int:
    with urllib.request.urlopen(f"{server.url}{path}", timeout=5) as response:
        return int(response.status)


def test_a_half_sent_body_is_answered_408_and_closed_while_other_clients_are_served(quick: ServerProcess) -> None:
    account = quick.new_account()
    client = quick.client(account)
    slow = [connect(quick) for _ in range(5)]
    started = time.monotonic()
    for sock in slow:
        sock.sendall(head("Lightsail_20161128.GetContactMethods", 1000) + b'{"protocols": [')
    for _ in range(5):  # while they hang, others are served at once
        before = time.monotonic()
        assert client.get_contact_methods()["contactMethods"] == []
        assert time.monotonic() - before < 0.5
    answers = [read_all(sock) for sock in slow]  # each ends: the server closed the connection
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 5, elapsed
    for answer in answers:
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line == b"HTTP/1.1 408 Request Timeout", answer
        assert b"connection: close" in rest.lower() and b'"__type":"RequestTimeoutException"' in rest
    for sock in slow:
        sock.close()


def test_a_half_sent_metric_body_is_answered_408_and_closed(quick: ServerProcess) -> None:
    # the ingestion endpoints read their bodies as the API does: a late body's rest must not be read as a request
    with connect(quick) as sock:
        sock.sendall(head(f"{target_prefix()}.PutMetricData", 1000) + b'{"Namespace": "AWS/EC2", ')
        status_line, _, rest = read_all(sock).partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout", rest
    assert b"connection: close" in rest.lower() and b"RequestTimeout" in rest, rest


def test_an_idle_keep_alive_connection_is_closed(quick: ServerProcess) -> None:
    with connect(quick) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        assert read_all(sock) == b""  # nothing more, then the close
        assert 0.5 < time.monotonic() - started < 5


def closed_while_others_are_served(server: ServerProcess, socks: list[socket.socket]) -> tuple[list[bytes], float]:
    """What each of ``socks`` received until the server closed it, and the seconds that took; boto3 calls are
    answered at once meanwhile."""
    client = server.client(server.new_account())
    started = time.monotonic()
    for _ in range(5):
        before = time.monotonic()
        assert client.get_contact_methods()["contactMethods"] == []
        assert time.monotonic() - before < 0.5
    answers = [read_all(sock) for sock in socks]
    elapsed = time.monotonic() - started
    for sock in socks:
        sock.close()
    return answers, elapsed


def test_a_connection_that_sends_nothing_is_closed_after_the_keep_alive_timeout(quick: ServerProcess) -> None:
    silent = [connect(quick) for _ in range(5)]
    answers, elapsed = closed_while_others_are_served(quick, silent)
    assert answers == [b""] * 5
    assert 0.8 < elapsed < 5, elapsed


def test_a_half_sent_request_head_is_answered_408_and_closed(quick: ServerProcess) -> None:
    halves = [b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar", b"GET /healthz HTT", b"P"]
    slow = [connect(quick) for _ in halves]
    started = time.monotonic()
    for sock, half in zip(slow, halves, strict=True):
        sock.sendall(half)
    trickling = connect(quick)  # one byte at a time, each well within the timeout: the deadline is for the head
    for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n":
        if select.select([trickling], [], [], 0.1)[0] or time.monotonic() - started > 5:
            break  # answered (and closed)
        trickling.sendall(bytes([byte]))
    answers, _ = closed_while_others_are_served(quick, [*slow, trickling])
    assert 0.8 < time.monotonic() - started < 5
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"connection: close" in answer, answer


def test_a_keep_alive_connection_serves_requests_until_one_stalls(quick: ServerProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", quick.port, timeout=10)
    connection.connect()
    sock = connection.sock
    for _ in range(8):  # 3.2 s in all, longer than both timeouts: each pause between requests is shorter
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b'{"status":"ok"}')
        assert connection.sock is sock  # the same connection, kept open
        time.sleep(0.4)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # then the next head stalls
    started = time.monotonic()
    answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and 0.8 < time.monotonic() - started < 5
    connection.close()


def test_bytes_that_begin_no_request_do_not_keep_a_connection_open(quick: ServerProcess) -> None:
    with connect(quick) as sock:
        # /healthz answers without reading the body it is promised; the body's bytes then come one at a time.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        received, closed = b"", False
        while not closed and time.monotonic() - started < 5:
            with contextlib.suppress(OSError):  # a send to a closed connection fails; the read below says so
                sock.sendall(b"x")
            if select.select([sock], [], [], 0.1)[0]:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                received += chunk
                closed = not chunk
        assert received.startswith(b"HTTP/1.1 200 "), received
        assert closed and 0.8 < time.monotonic() - started < 3, time.monotonic() - started


def test_beyond_the_connection_limit_requests_get_503(tmp_path: Path) -> None:
    with serving(tmp_path, {"LSNOTIFY_MAX_CONNECTIONS": "4"}) as server:
        held = [connect(server) for _ in range(4)]
        try:
            wait_until(lambda: refused(server), timeout=5, what="a 503 beyond 4 connections")
        finally:
            for sock in held:
                sock.close()
        wait_until(lambda: get(server, "/healthz") == 200, timeout=5, what="served again")


def refused(server: ServerProcess) -> bool:
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = read_all(sock)
    return answer.startswith(b"HTTP/1.1 503 ")


@contextlib.contextmanager
def serving(data_dir: Path, env: dict[str, str]) -> Iterator[ServerProcess]:
    yield from running_server(data_dir, env=env)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),
        ({"Host": "localhost:8080"}, 200),
        ({"Host": "[::1]"}, 200),
        ({"Host": "notify.example.org"}, 200),  # the public URL's host
        ({"Host": "rebound.attacker.example"}, 403),
        ({"Host": "127.0.0.1.attacker.example"}, 403),
        ({"X-Forwarded-For": "203.0.113.9"}, 403),
        ({"Forwarded": "for=203.0.113.9"}, 403),
        ({"Host": "notify.example.org", "X-Real-IP": "203.0.113.9"}, 403),
    ],
)
def test_without_a_token_the_inbox_answers_only_local_names_and_no_proxy(
    quick: ServerProcess, headers: dict[str, str], status: int
) -> None:
    for path in ("/_lsnotify/messages", "/_lsnotify/inbox"):
        request = urllib.request.Request(f"{quick.url}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                answered = response.status
        except urllib.error.HTTPError as error:
            answered = error.code
            assert b"LSNOTIFY_ADMIN_TOKEN" in error.read()
        assert answered == status, (path, headers)


def modes(data_dir: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in data_dir.iterdir() if path.is_file()}


def test_a_loose_data_directory_is_made_private_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir).start()
    server.client(server.new_account()).create_contact_method(protocol="Email", contactEndpoint="m@example.com")
    server.stop()
    os.chmod(data_dir, 0o755)
    for path in data_dir.iterdir():
        os.chmod(path, 0o644)
    assert {"lsnotify.db", "secret.key", "credentials", "config"} <= set(modes(data_dir))

    server = ServerProcess(data_dir, port=server.port).start()
    try:
        server.client(server.new_account()).get_contact_methods()
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        found = modes(data_dir)
        assert {"lsnotify.db-wal", "lsnotify.db-shm"} <= set(found)
        assert set(found.values()) == {0o600}, found
    finally:
        server.stop()


def test_a_new_data_directory_is_private_from_the_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    old_umask = os.umask(0o022)
    try:
        with serving(data_dir, {}) as server:
            server.client(server.new_account()).get_contact_methods()
            assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
            found = {name: mode for name, mode in modes(data_dir).items() if not name.endswith(".log")}
            assert {"lsnotify.db", "lsnotify.db-wal", "lsnotify.db-shm", "secret.key", "credentials"} <= set(found)
            assert set(found.values()) == {0o600}, found
    finally:
        os.umask(old_umask)


def test_secrets_come_from_files(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-a-file\n")
    with serving(tmp_path / "data", {"LSNOTIFY_ADMIN_TOKEN_FILE": str(token_file)}) as server:
        url = f"{server.url}/_lsnotify/messages"
        assert request_json(url)[0] == 401
        assert request_json(url, headers={"Authorization": "Bearer from-a-file"}) == (200, {"messages": []})
        assert "from-a-file" not in server.log()


def access_lines(server: ServerProcess, request_id: str) -> list[str]:
    return [line for line in server.log().splitlines() if f"lsnotify.api: {request_id} " in line]


def test_the_access_log_names_who_was_refused_and_escapes_what_clients_chose(quick: ServerProcess) -> None:
    account = quick.new_account()
    raw = RawClient(quick, account)
    refused = raw.call_raw("GetOperation", {"operationId": ""})  # authenticated, then refused by validation
    assert refused.status == 400
    request_id = refused.headers["x-amzn-RequestId"]
    (line,) = wait_until(lambda: access_lines(quick, request_id), what="the access-log line")
    assert line.endswith(f"account={account.account_id} key={account.access_key_id} region=us-east-1"), line
    assert " GetOperation 400 " in line

    # Control characters other than tab do not get past the HTTP parser (400, and no access-log line).
    hostile = "Lightsail_20161128." + "A" * 20_000 + "\t\x85B"
    response = post(quick.url, {**target("GetContactMethods"), "X-Amz-Target": hostile})
    assert response.status == 404
    request_id = response.headers["x-amzn-RequestId"]
    (line,) = wait_until(lambda: access_lines(quick, request_id), what="the access-log line")
    assert len(line) < 400 and "(20003 characters)" in line and "account=- key=- region=-" in line, line
    assert line.isprintable()

    hostile = "Lightsail_20161128.Get\tContact\x85Methods"
    response = post(quick.url, {**target("GetContactMethods"), "X-Amz-Target": hostile})
    (line,) = wait_until(lambda: access_lines(quick, response.headers["x-amzn-RequestId"]), what="the line")
    assert " Get\\tContact\\x85Methods 404 " in line, line
