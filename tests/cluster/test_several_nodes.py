"""Several nodes on one PostgreSQL: two `serve` processes and two `worker` processes sharing one database.

One scenario, in the order an operator would meet it: both nodes start at once on an empty database (one migrates,
one creates the first key); 2,000 mixed API calls from concurrent clients, spread over both nodes, each acknowledged
write read back through the other node at once; concurrent creates of one protocol across both nodes, of which
exactly one wins; one worker killed with SIGKILL mid-run while it holds claimed messages, which the other worker
delivers once their lease has run out; every verification email reaching the SMTP sink exactly once, counted by
``Message-ID``. Then the edges: a node with another secret key refuses to start, and ``/healthz`` reports a database
that went away.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from botocore.exceptions import ClientError
from cryptography.fernet import Fernet

from delivery_harness import FAST_DELIVERY
from harness import Account, ServerProcess, wait_until
from lsnotify.awsjson.model import lightsail_regions
from pages import confirm, verify_link
from postgres_server import create_database, drop_database, fresh_name, query, run_sync, server_url
from smtp_sink import SilentListener, SmtpSink

pytestmark = pytest.mark.slow

TOTAL_CALLS = 2000
CLIENTS = 12
RACES = 10
LEASE = 15.0  # the killed worker's lease: its messages come back this long after it claimed them
SMS_REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2"}


class WorkerProcess:
    def __init__(self, data_dir: Path, env: dict[str, str], name: str) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / f"{name}.log"
        command = [sys.executable, "-m", "lsnotify", "worker", "--data-dir", str(data_dir)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
        return "is delivering the outbox" in self.log()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def healthz(server: ServerProcess) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def database() -> Iterator[str]:
    server_url()  # skip, or fail under CI, without a PostgreSQL server
    name = fresh_name("cluster")
    url = run_sync(create_database(name))
    yield url
    run_sync(drop_database(name))


class Load:
    """Concurrent clients, each with its own account, calling both nodes in turn; counts every API call."""

    def __init__(self, nodes: list[ServerProcess], accounts: list[Account]) -> None:
        self.nodes = nodes
        self.accounts = accounts
        self.calls = 0
        self.emails_created = 0
        self._lock = threading.Lock()

    def count(self, calls: int = 1, emails: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.emails_created += emails

    def client_script(self, index: int) -> None:
        """Cycle through regions: create an Email and an SMS, tag, untag, list, delete the SMS; each write goes to
        one node and is read back at once through the other."""
        account = self.accounts[index]
        regions = sorted(lightsail_regions())
        clients = {
            (node_index, region): node.client(account, region=region)
            for node_index, node in enumerate(self.nodes)
            for region in regions
        }
        turn = itertools.count(index)
        for region in itertools.cycle(regions[index % len(regions) :] + regions[: index % len(regions)]):
            if self.calls >= TOTAL_CALLS:
                return
            self._region_round(clients, region, turn, account)

    def _region_round(
        self, clients: dict[tuple[int, str], Any], region: str, turn: Iterator[int], account: Account
    ) -> None:
        def pair() -> tuple[Any, Any]:
            writer = next(turn) % 2
            return clients[(writer, region)], clients[(1 - writer, region)]

        write, read = pair()
        address = f"{account.account_id}-{region}@example.com"
        try:
            created = write.create_contact_method(protocol="Email", contactEndpoint=address)
        except ClientError as error:  # this region's Email was created on an earlier lap
            assert error.response["Error"]["Code"] == "InvalidInputException"
            self.count()
            return
        self.count(emails=1)
        self._read_back(read, created)
        endpoints = [m["contactEndpoint"] for m in read.get_contact_methods()["contactMethods"]]
        assert address in endpoints
        self.count()

        write, read = pair()
        self._read_back(read, write.tag_resource(resourceName=f"Email-{region}", tags=[{"key": "k", "value": "v"}]))
        self.count()
        write, read = pair()
        self._read_back(read, write.untag_resource(resourceName=f"Email-{region}", tagKeys=["k"]))
        self.count()

        if region in SMS_REGIONS:
            write, read = pair()
            self._read_back(read, write.create_contact_method(protocol="SMS", contactEndpoint="+14255550100"))
            self.count()
            write, read = pair()
            self._read_back(read, write.delete_contact_method(protocol="SMS"))
            protocols = [m["protocol"] for m in read.get_contact_methods()["contactMethods"]]
            assert protocols == ["Email"], protocols  # the delete is visible on the other node at once
            self.count(2)

        write, _ = pair()
        assert write.get_operations()["operations"]
        self.count()

    def _read_back(self, other: Any, response: dict[str, Any]) -> None:
        """The write's operation, read at once through the other node."""
        operation = response["operations"][0]
        fetched = other.get_operation(operationId=operation["id"])["operation"]
        assert fetched["id"] == operation["id"] and fetched["operationType"] == operation["operationType"]
        self.count()


def race(nodes: list[ServerProcess], account: Account) -> list[str]:
    """Creates of one protocol for one account, from several clients at once, alternating between the nodes."""

    def create(i: int) -> str:
        client = nodes[i % 2].client(account, region="ca-central-1")
        try:
            client.create_contact_method(protocol="Email", contactEndpoint=f"racer{i}-{account.account_id}@example.com")
            return "created"
        except ClientError as error:
            return str(error.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(create, range(8)))


def test_two_nodes_and_two_workers_on_one_database(database: str, sink: SmtpSink, tmp_path: Path) -> None:
    common = {
        **FAST_DELIVERY,
        "LSNOTIFY_DATABASE_URL": database,
        "LSNOTIFY_SECRET_KEY": Fernet.generate_key().decode(),
        "LSNOTIFY_EMAIL_PROVIDER": "smtp",
        "LSNOTIFY_SMTP_HOST": "127.0.0.1",
        "LSNOTIFY_SMTP_PORT": str(sink.port),
        "LSNOTIFY_EMAIL_FROM": "Lightsail alerts <alerts@lsnotify.test>",
        "LSNOTIFY_ACCESS_LOG": "false",
    }
    # Both nodes start at once on the empty database: one applies the migrations, and creates the first key.
    nodes = [ServerProcess(tmp_path / f"node-{i}") for i in (0, 1)]
    common["LSNOTIFY_PUBLIC_URL"] = nodes[0].url  # links in emails lead to node 0, whichever node took the call
    for node in nodes:
        node.env = {**node.env, **common, "LSNOTIFY_RUN_WORKER": "false"}
        node.launch()
    silent = SilentListener()
    workers: list[WorkerProcess] = []
    try:
        for node in nodes:
            node.wait_ready()
        assert sum((node.data_dir / "credentials").exists() for node in nodes) == 1
        versions = [row["version"] for row in query(database, "SELECT version FROM schema_migrations ORDER BY 1")]
        assert versions == sorted(set(versions)) and versions[0] == 1
        assert [healthz(node)[0] for node in nodes] == [200, 200]

        # The doomed worker sends to an SMTP server that never answers, so what it claims stays claimed until the
        # kill; the other sends to the sink.
        doomed_env = {**common, "LSNOTIFY_SMTP_PORT": str(silent.port), "LSNOTIFY_SMTP_TIMEOUT": "120",
                      "LSNOTIFY_WORKER_LEASE_TIMEOUT": str(LEASE)}  # fmt: skip
        doomed = WorkerProcess(tmp_path / "worker-doomed", doomed_env, "doomed")
        survivor = WorkerProcess(tmp_path / "worker-survivor", common, "survivor")
        workers = [doomed, survivor]
        wait_until(lambda: all(w.ready() for w in workers), timeout=30, what="both workers")

        accounts = [nodes[0].new_account() for _ in range(CLIENTS + RACES)]
        load = Load(nodes, accounts[:CLIENTS])
        doomed_claims: list[asyncpg.Record] = []

        def kill_doomed_mid_run() -> None:
            doomed_name = f"%:{doomed.process.pid}/%"
            held = "SELECT id, next_attempt_at FROM outbox WHERE status = 'pending' AND claimed_by LIKE $1"
            wait_until(lambda: load.calls >= 100 and query(database, held, doomed_name), timeout=120,
                       what="the doomed worker to hold claims, 100 calls into the run")  # fmt: skip
            doomed.process.kill()
            doomed.process.wait(timeout=10)
            doomed_claims.extend(query(database, held, doomed_name))

        killer = threading.Thread(target=kill_doomed_mid_run)
        killer.start()
        with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
            loads = [pool.submit(load.client_script, i) for i in range(CLIENTS)]
            races = [pool.submit(race, nodes, account) for account in accounts[CLIENTS:]]
            for future in loads:
                future.result()
            outcomes = [future.result() for future in races]
        killer.join()
        assert load.calls >= TOTAL_CALLS

        # Of each account's concurrent creates across both nodes, exactly one won; the losers wrote nothing.
        for account, outcome in zip(accounts[CLIENTS:], outcomes, strict=True):
            assert sorted(Counter(outcome).items()) == [("InvalidInputException", 7), ("created", 1)]
            (winner,) = nodes[1].client(account, region="ca-central-1").get_contact_methods()["contactMethods"]
            assert winner["contactEndpoint"] == f"racer{outcome.index('created')}-{account.account_id}@example.com"

        # Every verification email reaches the sink exactly once, counted by Message-ID, including those the killed
        # worker held, which the survivor sent after their lease ran out.
        expected = load.emails_created + RACES
        rows = query(database, "SELECT idempotency_key FROM outbox WHERE kind = 'verification'")
        assert len(rows) == expected
        wanted = {f"<{row['idempotency_key']}@lsnotify.test>" for row in rows}
        wait_until(lambda: len(sink.received) >= expected, timeout=120, what=f"{expected} emails")
        received = Counter(r.message["Message-ID"] for r in sink.received)
        assert set(received) == wanted and set(received.values()) == {1}
        assert doomed_claims, "the doomed worker held no claims when it was killed"
        for claim in doomed_claims:
            (sent,) = query(database, "SELECT status, attempts, sent_at FROM outbox WHERE id = $1", claim["id"])
            assert sent["status"] == "sent" and sent["attempts"] >= 2 and sent["sent_at"] >= claim["next_attempt_at"]
        assert silent.accepted  # the doomed worker really was sending when it died

        # A link confirmed on node 0 verifies an address whose contact method was created through either node.
        by_id = {account.account_id: account for account in load.accounts}
        confirmed = 0
        for email in sink.received[:12]:
            account_id, region = email.rcpt_tos[0].split("@")[0].split("-", 1)
            if account_id in by_id:  # not a race's email
                assert confirm(verify_link(email.text())).status == 200
                methods = nodes[1].client(by_id[account_id], region=region).get_contact_methods(protocols=["Email"])
                assert methods["contactMethods"][0]["status"] == "Valid"
                confirmed += 1
        assert confirmed

        # A node given another secret key cannot open the stored secrets: it refuses to start, in one line.
        other_key = {**common, "LSNOTIFY_SECRET_KEY": Fernet.generate_key().decode()}
        refused = subprocess.run(
            [sys.executable, "-m", "lsnotify", "serve", "--data-dir", str(tmp_path / "node-x"), "--port", "9"],
            env={**os.environ, **other_key}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines()[-1].startswith("Error: a stored secret cannot be decrypted")
        assert "LSNOTIFY_SECRET_KEY" in refused.stderr and "Traceback" not in refused.stderr

        # /healthz reports the database: it answers 503, naming what failed, once the database is gone; the error
        # itself goes to the node's log.
        run_sync(drop_database(urlsplit(database).path.lstrip("/")))
        _, body = wait_until(lambda: (r := healthz(nodes[0]))[0] == 503 and r, timeout=30, what="a 503")
        assert body == {"status": "unavailable", "failed": "store"}
        wait_until(lambda: "does not exist" in nodes[0].log(), what="the error in the log")
    finally:
        for worker in workers:
            worker.stop()
        for node in nodes:
            node.stop()
        silent.close()
    assert survivor.process.returncode == 0  # it stopped gracefully, database or not
