"""Delivery: how many emails per second the outbox worker delivers into a local aiosmtpd sink, beside its floor.

    .venv/bin/python -m bench.outbox_drain --port PORT [--mode drain|sender] [--messages 2000] [--concurrency 16]

``drain`` enqueues ``--messages`` notification emails to Valid contact methods in a fresh, durable SQLite store and
runs one worker, built by ``serve``'s own ``build_worker`` from the default settings (but SMTP to the sink), until
every message is recorded sent: each claim and each result is an fsynced commit, shared by the group commit.
``sender`` is the floor: the same SMTP sender, pool and concurrency sending the same messages with no outbox around
it. Either prints one JSON line: messages, seconds, rate and this process's CPU seconds (seeding included).
``make bench`` runs both in interleaved rounds against one sink (``Bench.delivery``); the sink is a separate
process (aiosmtpd's discarding ``Sink`` handler) on the load generator's CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from cryptography.fernet import Fernet

from lsnotify.config import Settings
from lsnotify.delivery.providers import build_worker, smtp_sender
from lsnotify.delivery.senders import Envelope
from lsnotify.domain import Operation, new_id
from lsnotify.domain.contacts import EMAIL, VALID, ContactMethod
from lsnotify.identity import SecretBox
from lsnotify.service.notify import new_notification
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

SUBJECT, TEXT, HTML = "Alarm {i}", "CPU is high ({i}).", "<p>CPU is high ({i}).</p>"


def sink_command(port: int) -> list[str]:
    """aiosmtpd's SMTP server with its discarding handler: the receiving end of both modes."""
    return [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]


def delivery_settings(port: int, concurrency: int, batch_size: int) -> Settings:
    """``serve``'s delivery settings but for SMTP to the sink, and a short idle poll (the drain starts idle)."""
    return Settings(
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        email_from="lsnotify <bench@example.org>",
        worker_concurrency=concurrency,
        worker_batch_size=batch_size,
        worker_poll_interval=0.05,
    )


async def seed(store: Store, messages: int) -> None:
    now = time.time()
    batch = []
    for i in range(messages):
        cm = ContactMethod(f"{i:012d}", "us-east-1", EMAIL, f"user{i}@example.com", VALID, new_id(), now)
        op = Operation(new_id(), cm.account_id, cm.region, cm.name, "ContactMethod", "CreateContactMethod", now)
        text, html = TEXT.format(i=i), HTML.format(i=i)
        outbox = [new_notification(cm, subject=SUBJECT.format(i=i), text=text, html=html, now=now)]
        batch.append(store.create_contact_method(cm, op, outbox))
    await asyncio.gather(*batch)


async def drain(data_dir: Path, port: int, messages: int, concurrency: int, batch_size: int) -> float:
    """Seconds from the worker's start to the last message recorded sent."""
    settings = replace(delivery_settings(port, concurrency, batch_size), data_dir=data_dir)
    async with open_store(settings) as store:
        await seed(store, messages)
        worker = build_worker(settings, store, SecretBox(Fernet.generate_key()), time.time)
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(worker.run(stop))
        while (await store.outbox_counts())["sent"] < messages:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        stop.set()
        await running
        await worker.close()
        counts = await store.outbox_counts()
        if counts != {"pending": 0, "sent": messages, "dead": 0, "suppressed": 0}:
            raise SystemExit(f"the outbox did not end with every message sent once: {counts}")
        return elapsed


async def send_directly(port: int, messages: int, concurrency: int) -> float:
    """Seconds the bare sender takes to send the same messages, ``concurrency`` at a time."""
    now = time.time()
    envelopes = [
        Envelope(
            id=new_id(),
            idempotency_key=new_id(),
            protocol=EMAIL,
            destination=f"user{i}@example.com",
            text=TEXT.format(i=i),
            account_id=f"{i:012d}",
            region="us-east-1",
            created_at=now,
            subject=SUBJECT.format(i=i),
            html=HTML.format(i=i),
        )
        for i in range(messages)
    ]
    smtp = smtp_sender(delivery_settings(port, concurrency, concurrency))
    queue = iter(envelopes)

    async def lane() -> None:
        for envelope in queue:
            await smtp.send(envelope)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await smtp.close()
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_drain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="the SMTP sink's port on 127.0.0.1")
    parser.add_argument("--mode", choices=("drain", "sender"), default="drain")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    cpu_started = time.process_time()
    if args.mode == "drain":
        with tempfile.TemporaryDirectory() as folder:
            elapsed = asyncio.run(drain(Path(folder), args.port, args.messages, args.concurrency, args.batch_size))
    else:
        elapsed = asyncio.run(send_directly(args.port, args.messages, args.concurrency))
    cpu = time.process_time() - cpu_started
    result = {"messages": args.messages, "seconds": elapsed, "rate": args.messages / elapsed, "cpu_seconds": cpu}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
