"""``serve --workers 2``: two server processes on one port, over HTTP, on the backend under test.

Every call goes over a new connection, so the kernel hands each to either process: a write acknowledged by one is
read back by the next call whichever process answers it (each keeps its own read cache, kept right by the
database), an Email contact method's verification message reaches the SMTP server exactly once, and only the first
process evaluates alarms.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from signing import RawClient

from delivery_harness import smtp_env
from harness import Account, ServerProcess, wait_until
from smtp_sink import SmtpSink

ROUNDS = 40


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class FreshConnections(RawClient):
    """Signed calls, each over a connection of its own."""

    def call(self, operation: str, params: Any = None, **how: Any) -> Any:
        body = json.dumps({} if params is None else params).encode()
        http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=30))
        reply = http.request("POST", self.server.url + "/", body=body, headers=self.headers(operation, body, **how))
        http.clear()
        assert reply.status == 200, (reply.status, reply.data)
        return json.loads(reply.data)


@pytest.fixture
def served(data_dir: Path, sink: SmtpSink) -> Iterator[ServerProcess]:
    server = ServerProcess(data_dir, env=smtp_env(sink.port), extra_args=("--workers", "2")).start()
    try:
        yield server
    finally:
        assert server.stop() == -signal.SIGTERM, server.log()


def test_two_processes_share_the_port_and_agree(served: ServerProcess, sink: SmtpSink) -> None:
    assert served.process is not None
    processes = children_of(served.process.pid)
    assert len(processes) == 2, processes
    account: Account = served.new_account()
    client = FreshConnections(served, account)

    client.call("CreateContactMethod", {"protocol": "Email", "contactEndpoint": "two@example.com"})
    for round_ in range(ROUNDS):
        client.call(
            "TagResource", {"resourceName": "Email-us-east-1", "tags": [{"key": "round", "value": str(round_)}]}
        )
        methods = client.call("GetContactMethods")["contactMethods"]
        assert methods[0]["tags"] == [{"key": "round", "value": str(round_)}]

    def delivered() -> list[Any]:
        return [r for r in sink.received if "two@example.com" in r.rcpt_tos]

    # before the delete below, which would withdraw a verification email not yet sent
    wait_until(lambda: len(delivered()) >= 1, timeout=20, what="the verification email")
    time.sleep(1.0)  # time enough for a second worker to send it again, were there one
    assert len(delivered()) == 1
    client.call("DeleteContactMethod", {"protocol": "Email"})
    assert client.call("GetContactMethods") == {"contactMethods": []}
    log = served.log()
    assert log.count("alarm evaluator running every") == 1, log
    assert log.count("lsnotify is serving the Lightsail notifications API") == 2, log
    for pid in processes:
        os.kill(pid, 0)  # both still serving


def test_when_one_process_dies_the_server_ends(data_dir: Path) -> None:
    server = ServerProcess(data_dir, extra_args=("--workers", "2")).start()
    assert server.process is not None
    processes = children_of(server.process.pid)
    assert len(processes) == 2
    os.kill(processes[1], signal.SIGKILL)
    assert server.process.wait(timeout=30) == 1
    for pid in processes:  # the parent waited for both before it ended
        assert not Path(f"/proc/{pid}").exists()
