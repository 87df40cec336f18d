"""No acknowledged message is lost: `kill -9` before the send, or in the middle of it, and the email still arrives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from delivery_harness import outbox, smtp_env
from harness import ServerProcess, wait_until
from pages import verify_link
from smtp_sink import SilentListener, SmtpSink

# kill -9 and several workers on one store: run again with the servers on PostgreSQL.
pytestmark = pytest.mark.backend


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def test_kill_9_after_the_create_was_acknowledged_and_before_the_send(data_dir: Path, sink: SmtpSink) -> None:
    server = ServerProcess(data_dir, env=smtp_env(sink.port, LSNOTIFY_RUN_WORKER="false")).start()
    account = server.new_account()
    server.client(account).create_contact_method(protocol="Email", contactEndpoint="survivor@example.com")
    (pending,) = outbox(server)
    server.kill()
    assert sink.received == []

    server = ServerProcess(data_dir, port=server.port, env=smtp_env(sink.port)).start()
    try:
        (received,) = sink.wait_for("survivor@example.com")
        assert received.message["Message-ID"] == f"<{pending.idempotency_key}@lsnotify.test>"
        assert verify_link(received.text()).startswith(server.url)
    finally:
        server.stop()


def test_kill_9_in_the_middle_of_a_send_the_lease_brings_the_message_back(data_dir: Path, sink: SmtpSink) -> None:
    hanging = SilentListener()
    try:
        env = smtp_env(hanging.port, LSNOTIFY_WORKER_LEASE_TIMEOUT="2", LSNOTIFY_SMTP_TIMEOUT="30")
        server = ServerProcess(data_dir, env=env).start()
        account = server.new_account()
        server.client(account).create_contact_method(protocol="Email", contactEndpoint="midway@example.com")
        wait_until(lambda: hanging.accepted, what="the worker to start sending")
        (claimed,) = outbox(server)
        assert claimed.status == "pending" and claimed.attempts == 1  # claimed, and its attempt counted
        server.kill()
    finally:
        hanging.close()

    server = ServerProcess(data_dir, port=server.port, env=smtp_env(sink.port)).start()
    try:
        (received,) = sink.wait_for("midway@example.com")
        assert received.message["Message-ID"] == f"<{claimed.idempotency_key}@lsnotify.test>"
        (sent,) = wait_until(lambda: outbox(server, "sent"), what="the message recorded sent")
        assert sent.id == claimed.id and sent.attempts >= 2
    finally:
        server.stop()


def test_two_worker_processes_beside_serve_deliver_each_message_once(data_dir: Path, sink: SmtpSink) -> None:
    env = smtp_env(sink.port)
    server = ServerProcess(data_dir, env={**env, "LSNOTIFY_RUN_WORKER": "false"}).start()
    command = [sys.executable, "-m", "lsnotify", "worker", "--data-dir", str(data_dir), "--log-level", "info"]
    logs = [data_dir / f"worker-{i}.log" for i in range(2)]
    workers = []
    for log in logs:
        with open(log, "wb") as output:
            workers.append(
                subprocess.Popen(command, env={**os.environ, **server.env}, stdout=output, stderr=subprocess.STDOUT)
            )
    try:
        ready = lambda: all("is delivering the outbox" in log.read_text() for log in logs)  # noqa: E731
        wait_until(ready, timeout=30, what="both workers")
        addresses = []
        for _ in range(12):
            account = server.new_account()
            addresses.append(f"w-{account.account_id}@example.com")
            server.client(account).create_contact_method(protocol="Email", contactEndpoint=addresses[-1])
        wait_until(lambda: len(sink.received) >= 12, timeout=30, what="12 emails")
        wait_until(lambda: len(outbox(server, "sent")) == 12, what="12 messages recorded sent")
        assert sorted(r.rcpt_tos[0] for r in sink.received) == sorted(addresses)  # each exactly once
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        server.stop()
    outputs = [log.read_text() for log in logs]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("stopped" in output and "Traceback" not in output for output in outputs)
