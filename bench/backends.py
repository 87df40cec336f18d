"""PostgreSQL next to SQLite, measured in one run: read and write throughput of the API, and of the store alone.

    taskset -c 1 scripts/test-postgres --durable .venv/bin/python -m bench.backends

``scripts/test-postgres --durable`` starts a throwaway PostgreSQL with its default durability (fsync and synchronous
commit on, as SQLite's ``synchronous=FULL``), pinned like everything it starts to CPU 1. Each backend then gets:

- **API**: one ``lsnotify serve`` (pinned to CPU 1 with its database, access log and worker off), loaded from CPU 0 by
  ``CONNECTIONS`` keep-alive connections replaying pre-signed requests, one account per connection: reads are
  ``GetContactMethods``, writes ``TagResource`` (a row update and an operation row, one durable transaction each).
- **Store**: the same two calls straight on the ``Store`` (``list_contact_methods``, ``tag_resource``) from
  ``CONNECTIONS`` concurrent tasks in one process pinned to CPU 1: the backend without HTTP, SigV4 or validation.

Rounds alternate the backends, so that both see the same machine; the table gives each median in calls per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lsnotify.config import load_settings
from lsnotify.domain import EMAIL, PENDING_VERIFICATION, ContactMethod, Operation, Scope, Tag, new_id
from lsnotify.identity import SecretBox, issue_access_key, load_secret_key
from lsnotify.storage.base import Store
from lsnotify.storage.factory import create_store

SERVER_CPU, LOAD_CPU = 1, 0
REGION = "us-east-1"
BACKENDS = ("sqlite", "postgres")


def settings_for(backend: str, data_dir: Path, database_url: str) -> dict[str, str]:
    flags = {"data_dir": str(data_dir)}
    if backend == "postgres":
        flags["database_url"] = database_url
    return flags


async def with_store(flags: dict[str, str], action: Callable[[Store], Coroutine[Any, Any, Any]]) -> Any:
    store = create_store(load_settings(flags))
    await store.open()
    try:
        await store.migrate()
        return await action(store)
    finally:
        await store.close()


def contact_method(scope: Scope) -> ContactMethod:
    return ContactMethod(scope.account_id, scope.region, EMAIL, f"{scope.account_id}@example.com",
                         PENDING_VERIFICATION, new_id(), time.time())  # fmt: skip


def operation(scope: Scope, kind: str) -> Operation:
    now = time.time()
    return Operation(new_id(), scope.account_id, scope.region, f"Email-{REGION}", "ContactMethod", kind, now,
                     status_changed_at=now)  # fmt: skip


# -- the store alone ------------------------------------------------------------------------------------------------


async def store_round(flags: dict[str, str], connections: int, seconds: float) -> dict[str, float]:
    async def run(store: Store) -> dict[str, float]:
        scopes = [Scope(f"{900000000000 + i}", REGION) for i in range(connections)]
        if not await store.list_contact_methods(scopes[0]):
            for scope in scopes:
                await store.create_contact_method(contact_method(scope), operation(scope, "CreateContactMethod"))
        resources = [await store.find_taggable(scope, f"Email-{REGION}") for scope in scopes]

        async def read(i: int) -> None:
            await store.list_contact_methods(scopes[i])

        async def write(i: int) -> None:
            resource = resources[i]
            assert resource is not None
            await store.tag_resource(scopes[i], resource, [Tag("k", "v")], operation(scopes[i], "TagResource"), 50)

        return {
            kind: await closed_loop(call, connections, seconds) for kind, call in (("read", read), ("write", write))
        }

    result: dict[str, float] = await with_store(flags, run)
    return result


async def closed_loop(call: Callable[[int], Coroutine[Any, Any, None]], connections: int, seconds: float) -> float:
    """Calls per second of ``connections`` loops, each calling ``call(i)`` back to back for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop(i: int) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call(i)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i) for i in range(connections)))
    return done / (time.perf_counter() - started)


# -- the API ----------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(port: int, key: tuple[str, str], operation_name: str, params: dict[str, Any]) -> bytes:
    """The raw HTTP/1.1 request boto3 would send, SigV4-signed (valid for the server's 15 minutes of skew)."""
    body = json.dumps(params).encode()
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{port}/",
        data=body,
        headers={"X-Amz-Target": f"Lightsail_20161128.{operation_name}", "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(*key), "lightsail", REGION).add_auth(request)
    headers = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    head = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    return head.encode() + body


async def api_load(port: int, requests: list[bytes], seconds: float) -> float:
    """Responses per second over one keep-alive connection per request, each replaying its request back to back."""
    done = 0
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    async def connection(raw: bytes) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                body = await reader.readexactly(length)
                if not head.startswith(b"HTTP/1.1 200"):
                    failures.append(head.split(b"\r\n")[0].decode() + " " + body[:200].decode())
                done += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(raw) for raw in requests))
    if failures:
        raise RuntimeError(f"{len(failures)} failed calls, e.g. {failures[0]}")
    return done / (time.perf_counter() - started)


def start_server(flags: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LSNOTIFY_DATABASE_URL": flags.get("database_url", "")}
    command = ["taskset", "-c", str(SERVER_CPU), sys.executable, "-m", "lsnotify", "serve", "--port", str(port),
               "--data-dir", flags["data_dir"], "--no-access-log", "--no-run-worker", "--no-evaluate-alarms",
               "--log-level", "warning"]  # fmt: skip
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"lsnotify serve did not start: {log.read_text()}") from None
            time.sleep(0.1)


async def api_keys(flags: dict[str, str], connections: int) -> list[tuple[str, str]]:
    """One access key per connection, each account with an Email contact method to read and tag."""

    async def issue(store: Store) -> list[tuple[str, str]]:
        box = SecretBox(load_secret_key(Path(flags["data_dir"]), None))
        keys = []
        for _ in range(connections):
            issued = await issue_access_key(store, box, None, time.time())
            scope = Scope(issued.key.account_id, REGION)
            await store.create_contact_method(contact_method(scope), operation(scope, "CreateContactMethod"))
            keys.append((issued.key.access_key_id, issued.secret_access_key))
        return keys

    result: list[tuple[str, str]] = await with_store(flags, issue)
    return result


# -- the run ----------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per backend (the median is reported)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (or store tasks)")
    parser.add_argument("--store-round", nargs=2, metavar=("BACKEND", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    database_url = os.environ.get("LSNOTIFY_TEST_DATABASE_URL", "")
    if not database_url:
        sys.exit("LSNOTIFY_TEST_DATABASE_URL is not set: run this through scripts/test-postgres --durable")
    if args.store_round:  # a child process pinned to the server CPU: one store measurement, as JSON
        flags = settings_for(args.store_round[0], Path(args.store_round[1]), database_url)
        print(json.dumps(asyncio.run(store_round(flags, args.connections, args.seconds))))
        return
    os.sched_setaffinity(0, {LOAD_CPU})
    results: dict[tuple[str, str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="lsnotify-bench-") as tmp:
        work = Path(tmp)
        flags = {b: settings_for(b, work / b, database_url) for b in BACKENDS}
        ports = {b: free_port() for b in BACKENDS}
        keys = {b: asyncio.run(api_keys(flags[b], args.connections)) for b in BACKENDS}
        servers = {b: start_server(flags[b], ports[b], work / f"{b}.log") for b in BACKENDS}
        try:
            for round_number in range(args.rounds):
                order = BACKENDS if round_number % 2 == 0 else BACKENDS[::-1]
                for backend in order:
                    port = ports[backend]
                    reads = [signed(port, key, "GetContactMethods", {}) for key in keys[backend]]
                    writes = [signed(port, key, "TagResource", {"resourceName": f"Email-{REGION}",
                                                                "tags": [{"key": "k", "value": "v"}]})
                              for key in keys[backend]]  # fmt: skip
                    for kind, requests in (("read", reads), ("write", writes)):
                        rps = asyncio.run(api_load(port, requests, args.seconds))
                        results.setdefault(("API", backend, kind), []).append(rps)
                    child = subprocess.run(
                        ["taskset", "-c", str(SERVER_CPU), sys.executable, "-m", "bench.backends", "--store-round",
                         backend, str(work / f"store-{backend}"), "--seconds", str(args.seconds), "--connections",
                         str(args.connections)],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    for kind, rate in json.loads(child.stdout).items():
                        results.setdefault(("Store", backend, kind), []).append(rate)
                    print(f"round {round_number + 1} {backend}: " + ", ".join(
                        f"{level} {kind} {results[(level, backend, kind)][-1]:.0f}/s"
                        for level in ("API", "Store") for kind in ("read", "write")), flush=True)  # fmt: skip
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=30)
    print(f"\nmedian calls per second ({args.rounds} rounds of {args.seconds:g} s, {args.connections} connections)")
    print(f"{'':<14}{'SQLite':>10}{'PostgreSQL':>12}{'PG/SQLite':>11}")
    for level in ("API", "Store"):
        for kind in ("read", "write"):
            sqlite, postgres = (statistics.median(results[(level, b, kind)]) for b in BACKENDS)
            print(f"{level + ' ' + kind:<14}{sqlite:>10.0f}{postgres:>12.0f}{postgres / sqlite:>11.2f}")


if __name__ == "__main__":
    main()
