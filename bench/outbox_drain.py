"""Outbox drain rate: how many emails a worker delivers per second into a local aiosmtpd sink.

    .venv/bin/python bench/outbox_drain.py [--messages 2000] [--concurrency 16] [--batch-size 64]

Enqueues ``--messages`` notification emails to Valid contact methods in a fresh SQLite store, starts aiosmtpd's
discarding ``Sink`` handler as its own process, then runs one worker (as inside ``serve``) until every message is
recorded sent, and prints messages per second. The wall-clock rate depends on what else the machine runs (the sink
shares its cores), so the CPU time per message of the worker and of the sink is printed too. Durable throughout:
each claim and each result is an fsynced commit (shared by the group commit).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from lsnotify.delivery.gate import Gate
from lsnotify.delivery.render import Renderer
from lsnotify.delivery.retry import RetryPolicy
from lsnotify.delivery.smtp import SmtpSender
from lsnotify.delivery.worker import Worker, WorkerOptions
from lsnotify.domain import EMAIL, SMS, VALID, ContactMethod, Operation, new_id
from lsnotify.identity import SecretBox
from lsnotify.service.notifications import new_notification
from lsnotify.storage.sqlite import SqliteStore


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the SMTP sink did not start on port {port}")


async def seed(store: SqliteStore, messages: int) -> None:
    now = time.time()
    batch = []
    for i in range(messages):
        cm = ContactMethod(f"{i:012d}", "us-east-1", EMAIL, f"user{i}@example.com", VALID, new_id(), now)
        op = Operation(new_id(), cm.account_id, cm.region, cm.name, "ContactMethod", "CreateContactMethod", now)
        outbox = [new_notification(cm, subject=f"Alarm {i}", text=f"CPU is high ({i}).", html="<p>CPU</p>", now=now)]
        batch.append(store.create_contact_method(cm, op, outbox))
    await asyncio.gather(*batch)


async def drain(data_dir: Path, port: int, messages: int, concurrency: int, batch_size: int) -> tuple[float, float]:
    """Seconds from start to the last message recorded sent, and the CPU seconds this process spent meanwhile."""
    store = SqliteStore(data_dir / "bench.db")
    await store.open()
    await store.migrate()
    try:
        await seed(store, messages)
        box = SecretBox(Fernet.generate_key())
        smtp = SmtpSender(
            host="127.0.0.1", port=port, use_tls=False, start_tls=False, username="", password="", ca_file="",
            timeout=30.0, email_from="lsnotify <bench@example.org>", pool_size=concurrency,
        )  # fmt: skip
        worker = Worker(
            store=store,
            senders={EMAIL: smtp, SMS: smtp},
            renderer=Renderer(box, "http://127.0.0.1:8080"),
            gate=Gate(store, box),
            policy=RetryPolicy(max_attempts=10, max_age=3600.0, base_delay=1.0, max_delay=10.0),
            options=WorkerOptions(
                poll_interval=0.05,
                batch_size=batch_size,
                concurrency=concurrency,
                lease_timeout=300.0,
                retention=86400.0,
            ),
            clock=time.time,
        )
        stop = asyncio.Event()
        started, cpu_started = time.perf_counter(), time.process_time()
        running = asyncio.create_task(worker.run(stop))
        while (await store.outbox_counts())["sent"] < messages:
            await asyncio.sleep(0.02)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        stop.set()
        await running
        await worker.close()
        counts = await store.outbox_counts()
        assert counts == {"pending": 0, "sent": messages, "dead": 0}, counts
        return elapsed, cpu
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        sink_cpu_started = cpu_seconds_of(sink.pid)
        with tempfile.TemporaryDirectory() as folder:
            elapsed, cpu = asyncio.run(drain(Path(folder), port, args.messages, args.concurrency, args.batch_size))
        sink_cpu = cpu_seconds_of(sink.pid) - sink_cpu_started
    finally:
        sink.terminate()
        sink.wait()
    print(
        f"outbox drain: {args.messages} emails in {elapsed:.2f} s = {args.messages / elapsed:.0f} messages/s "
        f"(SMTP into a local aiosmtpd sink, concurrency {args.concurrency}, batch {args.batch_size}, durable SQLite); "
        f"CPU per message: worker {cpu * 1000 / args.messages:.2f} ms, sink {sink_cpu * 1000 / args.messages:.2f} ms"
    )


if __name__ == "__main__":
    main()
