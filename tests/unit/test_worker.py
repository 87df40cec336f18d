"""The outbox worker on a real SQLite store, with senders that record or fail on request (the edge it owns)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from lsnotify.config import load_settings
from lsnotify.delivery.gate import Gate
from lsnotify.delivery.quota import Quota
from lsnotify.delivery.render import Renderer
from lsnotify.delivery.retry import RetryPolicy
from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.delivery.worker import Worker, WorkerOptions
from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS, VALID, ContactMethod, hash_token
from lsnotify.domain.outbox import OUTBOX_DEAD, OUTBOX_SENT
from lsnotify.identity import SecretBox
from lsnotify.service.notify import new_notification
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

NOW = 1_800_000_000.0
BOX = SecretBox(Fernet.generate_key())


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class RecordingSender:
    """Records what it is given; ``fail`` decides, per envelope, whether to raise instead."""

    def __init__(self, name: str = "fake", fail: Callable[[Envelope], Exception | None] = lambda e: None) -> None:
        self.name = name
        self.sent: list[Envelope] = []
        self.fail = fail
        self.closed = False

    async def send(self, envelope: Envelope) -> None:
        if (error := self.fail(envelope)) is not None:
            raise error
        self.sent.append(envelope)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(load_settings({"data_dir": str(tmp_path)})) as store:
        yield store


def make_worker(
    store: Store,
    sender: RecordingSender,
    clock: Clock,
    outcomes: list[tuple[str, str]] | None = None,
    quota: Quota | None = None,
) -> Worker:
    return Worker(
        store=store,
        senders={EMAIL: sender, SMS: sender},
        renderer=Renderer(BOX, "https://notify.example.org/"),
        gate=Gate(store, BOX),
        policy=RetryPolicy(max_attempts=3, max_age=3600.0, base_delay=10.0, max_delay=60.0, jitter=0.0),
        options=WorkerOptions(poll_interval=0.01, batch_size=8, concurrency=4, lease_timeout=60.0, retention=3600.0),
        clock=clock,
        observe=(lambda provider, outcome: outcomes.append((provider, outcome))) if outcomes is not None else None,
        name="test-worker",
        quota=quota,
    )


async def add_contact_method(store: Store, protocol: str, endpoint: str, status: str) -> ContactMethod:
    cm = ContactMethod("111111111111", "us-east-1", protocol, endpoint, status, new_id(), NOW)
    await store.create_contact_method(cm, Operation(new_id(), cm.account_id, cm.region, cm.name, "C", "Create", NOW))
    return cm


async def test_a_verification_email_is_rendered_with_its_link_and_recorded_sent(store: Store) -> None:
    from lsnotify.service import Rules, Services
    from lsnotify.service.verification import new_verification

    clock, sender, outcomes = Clock(), RecordingSender(), []
    cm = ContactMethod("111111111111", "us-east-1", EMAIL, "ops@example.com", PENDING_VERIFICATION, new_id(), NOW)
    services = Services(store, clock, Rules(frozenset(), frozenset(), 86400.0), BOX)
    token, message = new_verification(services, cm, NOW)
    await store.create_contact_method(cm, Operation(new_id(), cm.account_id, cm.region, cm.name, "C", "C", NOW),
                                      [message], token)  # fmt: skip
    assert await make_worker(store, sender, clock, outcomes).run_once() == 1
    (envelope,) = sender.sent
    assert envelope.destination == "ops@example.com" and envelope.idempotency_key == message.idempotency_key
    link = next(word for word in envelope.text.split() if "/verify/" in word)
    assert link.startswith("https://notify.example.org/verify/")
    assert hash_token(link.rsplit("/", 1)[1]) == token.token_hash
    assert link in (envelope.html or "") and "111111111111" in envelope.text and "us-east-1" in envelope.text
    assert [m.status for m in await store.list_outbox()] == [OUTBOX_SENT]
    assert outcomes == [("fake", "sent")]


async def test_a_transient_failure_is_retried_after_the_backoff(store: Store) -> None:
    clock, outcomes = Clock(), []
    cm = await add_contact_method(store, EMAIL, "ops@example.com", VALID)
    failures = [DeliveryFailed("451 busy"), DeliveryFailed("451 busy")]
    sender = RecordingSender(fail=lambda e: failures.pop(0) if failures else None)
    worker = make_worker(store, sender, clock, outcomes)
    await store.enqueue_outbox([new_notification(cm, subject="s", text="t", html="h", now=NOW)])
    assert await worker.run_once() == 1
    (pending,) = await store.list_outbox()
    assert (pending.attempts, pending.next_attempt_at, pending.last_error) == (1, NOW + 10.0, "451 busy")
    clock.now = NOW + 9.9
    assert await worker.run_once() == 0
    clock.now = NOW + 10.0
    assert await worker.run_once() == 1  # fails again: next in 20 s
    clock.now = NOW + 30.0
    assert await worker.run_once() == 1
    assert [(e.subject, e.text, e.html) for e in sender.sent] == [("s", "t", "h")]
    assert outcomes == [("fake", "failed"), ("fake", "failed"), ("fake", "sent")]
    assert (await store.list_outbox())[0].attempts == 3


async def test_out_of_attempts_means_dead(store: Store) -> None:
    clock = Clock()
    cm = await add_contact_method(store, SMS, "+14255550100", VALID)
    worker = make_worker(store, RecordingSender(fail=lambda e: DeliveryFailed("down")), clock)
    await store.enqueue_outbox([new_notification(cm, subject="", text="hi", html="", now=NOW)])
    for _ in range(3):
        assert await worker.run_once() == 1
        clock.now += 61
    (dead,) = await store.list_outbox(OUTBOX_DEAD)
    assert dead.attempts == 3 and dead.last_error == "down"


async def test_a_permanent_failure_or_a_bug_in_a_sender(store: Store) -> None:
    clock, outcomes = Clock(), []
    email = await add_contact_method(store, EMAIL, "gone@example.com", VALID)
    sms = await add_contact_method(store, SMS, "+14255550100", VALID)

    def fail(envelope: Envelope) -> Exception:
        if envelope.protocol == EMAIL:
            return DeliveryFailed("550 no such mailbox", permanent=True)
        return KeyError("a bug")

    worker = make_worker(store, RecordingSender(fail=fail), clock, outcomes)
    e = new_notification(email, subject="s", text="t", html="h", now=NOW)
    s = new_notification(sms, subject="", text="t", html="", now=NOW)
    await store.enqueue_outbox([e, s])
    assert await worker.run_once() == 2
    by_id = {m.id: m for m in await store.list_outbox()}
    assert (by_id[e.id].status, by_id[e.id].last_error) == (OUTBOX_DEAD, "550 no such mailbox")
    assert by_id[s.id].status == "pending" and by_id[s.id].last_error == "KeyError: 'a bug'"  # retried later
    assert sorted(outcomes) == [("fake", "dead"), ("fake", "failed")]


async def test_only_valid_contact_methods_receive_notifications(store: Store) -> None:
    clock, sender = Clock(), RecordingSender()
    pending = await add_contact_method(store, EMAIL, "pending@example.com", PENDING_VERIFICATION)
    valid = await add_contact_method(store, SMS, "+14255550100", VALID)
    stale = replace(valid, contact_endpoint="+14255550199")  # enqueued before the number changed
    messages = [new_notification(cm, subject="s", text="t", html="h", now=NOW) for cm in (pending, valid, stale)]
    await store.enqueue_outbox(messages)
    assert await make_worker(store, sender, clock).run_once() == 3
    assert [e.destination for e in sender.sent] == ["+14255550100"]
    dead = {m.destination: m.last_error for m in await store.list_outbox(OUTBOX_DEAD)}
    assert dead == {
        "pending@example.com": "not sent: pending@example.com is no longer a Valid Email contact method",
        "+14255550199": "not sent: +14255550199 is no longer a Valid SMS contact method",
    }


async def test_a_message_of_unknown_kind_is_dead(store: Store) -> None:
    cm = await add_contact_method(store, EMAIL, "ops@example.com", VALID)
    message = replace(new_notification(cm, subject="s", text="t", html="h", now=NOW), kind="carrier-pigeon")
    await store.enqueue_outbox([message])
    await make_worker(store, RecordingSender(), Clock()).run_once()
    assert (await store.list_outbox(OUTBOX_DEAD))[0].last_error == "unknown message kind 'carrier-pigeon'"


async def test_run_delivers_until_stopped_then_closes_nothing_itself(store: Store) -> None:
    cm = await add_contact_method(store, SMS, "+14255550100", VALID)
    sender = RecordingSender()
    worker = make_worker(store, sender, Clock())
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    for i in range(20):
        await store.enqueue_outbox([new_notification(cm, subject="", text=f"n{i}", html="", now=NOW)])
    deadline = asyncio.get_running_loop().time() + 10
    while len(sender.sent) < 20 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert sorted(e.text for e in sender.sent) == sorted(f"n{i}" for i in range(20))
    assert not sender.closed
    await worker.close()
    assert sender.closed


async def test_a_verification_email_whose_link_no_longer_works_is_not_sent(store: Store) -> None:
    from lsnotify.service import Rules, Services
    from lsnotify.service.verification import new_verification

    clock, sender = Clock(), RecordingSender()
    services = Services(store, clock, Rules(frozenset(), frozenset(), 86400.0), BOX)
    cm = ContactMethod("111111111111", "us-east-1", EMAIL, "ops@example.com", PENDING_VERIFICATION, new_id(), NOW)
    first_token, first = new_verification(services, cm, NOW)
    op = Operation(new_id(), cm.account_id, cm.region, cm.name, "C", "C", NOW)
    await store.create_contact_method(cm, op, [first], first_token)
    second_token, second = new_verification(services, cm, NOW)  # a resend before the first went out
    await store.restart_verification(cm, second_token, replace(op, id=new_id()), [second])
    other = replace(cm, account_id="222222222222", id=new_id(), contact_endpoint="gone@example.com")
    gone_token, gone = new_verification(services, other, NOW)
    await store.create_contact_method(other, replace(op, id=new_id(), account_id="222222222222"), [gone], gone_token)
    await store.delete_contact_method(Scope(other.account_id, other.region), EMAIL, replace(op, id=new_id()))

    assert await make_worker(store, sender, clock).run_once() == 3
    assert [e.id for e in sender.sent] == [second.id]
    dead = {m.id: m.last_error for m in await store.list_outbox(OUTBOX_DEAD)}
    reason = "not sent: its link no longer works (replaced by a newer one, used, expired or deleted)"
    assert dead == {first.id: reason, gone.id: reason}
