"""The Store contract for delivery: claims and leases, results, dead letters, the dev inbox, verification peeks.

Written against the interface only, so it runs on every backend.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS, ContactMethod, VerificationToken
from lsnotify.domain.outbox import (
    OUTBOX_DEAD,
    OUTBOX_PENDING,
    OUTBOX_SENT,
    OUTBOX_SUPPRESSED,
    CapturedMessage,
    OutboxMessage,
)
from lsnotify.storage.base import MessageFilter, Store

NOW = 1_800_000_000.0
LEASE = 60.0


def message(
    created_at: float = NOW, destination: str = "ops@example.com", account_id: str = "111111111111"
) -> OutboxMessage:
    message_id = new_id()
    return OutboxMessage(
        message_id, account_id, "us-east-1", EMAIL, destination, "notification",
        {"subject": "s", "text": "t", "html": "h"}, message_id, created_at, next_attempt_at=created_at,
    )  # fmt: skip


async def test_enqueued_messages_are_claimed_oldest_first_with_a_counted_attempt(store: Store) -> None:
    older, newer = message(NOW - 10), message(NOW - 5)
    future = replace(message(NOW), next_attempt_at=NOW + 100)
    await store.enqueue_outbox([newer, older, future])
    claimed = await store.claim_outbox("w1", NOW, 10, LEASE)
    assert [c.message.id for c in claimed] == [older.id, newer.id]
    assert all(c.message.attempts == 1 and c.queued_at == c.message.created_at for c in claimed)
    assert claimed[0].message.payload == older.payload
    assert await store.claim_outbox("w2", NOW, 10, LEASE) == []  # leased, and the third is not due yet
    assert await store.outbox_counts() == {OUTBOX_PENDING: 3, OUTBOX_SENT: 0, OUTBOX_DEAD: 0, OUTBOX_SUPPRESSED: 0}


async def test_claim_respects_the_limit(store: Store) -> None:
    await store.enqueue_outbox([message() for _ in range(5)])
    assert len(await store.claim_outbox("w", NOW, 2, LEASE)) == 2
    assert len(await store.claim_outbox("w", NOW, 10, LEASE)) == 3


async def test_concurrent_claimers_never_share_a_message(store: Store) -> None:
    await store.enqueue_outbox([message() for _ in range(60)])
    batches = await asyncio.gather(*(store.claim_outbox(f"w{i}", NOW, 7, LEASE) for i in range(12)))
    ids = [c.message.id for batch in batches for c in batch]
    assert len(ids) == 60 == len(set(ids))


async def test_a_dead_workers_claim_comes_back_after_the_lease(store: Store) -> None:
    m = message()
    await store.enqueue_outbox([m])
    (first,) = await store.claim_outbox("dead-worker", NOW, 10, LEASE)
    assert await store.claim_outbox("w2", NOW + LEASE - 1, 10, LEASE) == []
    (second,) = await store.claim_outbox("w2", NOW + LEASE, 10, LEASE)
    assert second.message.id == m.id and second.message.attempts == 2 and second.claim != first.claim
    # The first worker wakes up late: its failure changes nothing, the second worker's result counts.
    assert await store.record_outbox_failure(first, "late", NOW + LEASE + 1) is False
    await store.record_outbox_sent(second, NOW + LEASE + 2)
    (sent,) = await store.list_outbox(OUTBOX_SENT)
    assert sent.sent_at == NOW + LEASE + 2 and sent.last_error is None and sent.attempts == 2


async def test_a_failure_schedules_a_retry_or_dead_letters(store: Store) -> None:
    retried, dead = message(NOW - 2), message(NOW - 1)
    await store.enqueue_outbox([retried, dead])
    c1, c2 = await store.claim_outbox("w", NOW, 10, LEASE)
    assert await store.record_outbox_failure(c1, "451 try later", NOW + 30) is True
    assert await store.record_outbox_failure(c2, "550 no such user", None) is True
    (pending,) = await store.list_outbox(OUTBOX_PENDING)
    assert (pending.id, pending.next_attempt_at, pending.last_error) == (retried.id, NOW + 30, "451 try later")
    (dead_letter,) = await store.list_outbox(OUTBOX_DEAD)
    assert (dead_letter.id, dead_letter.last_error, dead_letter.attempts) == (dead.id, "550 no such user", 1)
    assert await store.claim_outbox("w", NOW + 29, 10, LEASE) == []
    (again,) = await store.claim_outbox("w", NOW + 30, 10, LEASE)
    assert again.message.id == retried.id and again.message.attempts == 2


async def test_retry_gives_dead_messages_a_new_round(store: Store) -> None:
    first, second, alive = message(), message(), message()
    await store.enqueue_outbox([first, second, alive])
    claims = await store.claim_outbox("w", NOW, 10, 1000.0)
    for claimed in claims:
        if claimed.message.id != alive.id:
            await store.record_outbox_failure(claimed, "down", None)
    assert await store.retry_outbox([first.id, alive.id, "no-such-id"], NOW + 100) == [first.id]
    assert await store.retry_outbox(None, NOW + 200) == [second.id]
    assert await store.retry_outbox(None, NOW + 300) == []
    assert await store.retry_outbox([], NOW + 300) == []
    by_id = {c.message.id: c for c in await store.claim_outbox("w", NOW + 200, 10, LEASE)}
    assert set(by_id) == {first.id, second.id}  # alive is still leased
    assert by_id[first.id].message.attempts == 1 and by_id[first.id].queued_at == NOW + 100
    assert by_id[second.id].queued_at == NOW + 200


async def test_counts_and_pruning_of_sent_messages(store: Store) -> None:
    old, recent, dead = message(), message(), message()
    await store.enqueue_outbox([old, recent, dead])
    by_id = {c.message.id: c for c in await store.claim_outbox("w", NOW, 10, LEASE)}
    await store.record_outbox_sent(by_id[old.id], NOW + 1)
    await store.record_outbox_sent(by_id[recent.id], NOW + 100)
    await store.record_outbox_failure(by_id[dead.id], "x", None)
    assert await store.outbox_counts() == {OUTBOX_PENDING: 0, OUTBOX_SENT: 2, OUTBOX_DEAD: 1, OUTBOX_SUPPRESSED: 0}
    assert await store.prune_outbox(NOW + 50) == 1
    assert [m.id for m in await store.list_outbox(OUTBOX_SENT)] == [recent.id]
    assert await store.outbox_counts() == {OUTBOX_PENDING: 0, OUTBOX_SENT: 1, OUTBOX_DEAD: 1, OUTBOX_SUPPRESSED: 0}


def captured(protocol: str = EMAIL, destination: str = "a@example.com", account_id: str = "111111111111",
             region: str = "us-east-1", at: float = NOW) -> CapturedMessage:  # fmt: skip
    subject = "hello" if protocol == EMAIL else None
    return CapturedMessage(new_id(), account_id, region, protocol, destination, subject, "body", None, at)


async def test_captured_messages_filter_order_and_delete(store: Store) -> None:
    a = captured(at=NOW + 1)
    b = captured(SMS, "+14255550100", at=NOW + 2)
    c = captured(account_id="222222222222", region="eu-west-1", at=NOW + 3)
    for m in (c, a, b):
        await store.capture_message(m)
    await store.capture_message(replace(a, body="a redelivery"))  # the same id: the first copy stays
    everything = MessageFilter()
    assert await store.list_captured_messages(everything) == [a, b, c]
    assert await store.list_captured_messages(everything, 2, newest_first=True) == [c, b]
    assert await store.list_captured_messages(MessageFilter(protocol=SMS)) == [b]
    assert await store.list_captured_messages(MessageFilter(destination="a@example.com")) == [a, c]
    assert await store.list_captured_messages(MessageFilter(account_id="222222222222")) == [c]
    assert await store.list_captured_messages(MessageFilter(region="us-east-1", protocol=EMAIL)) == [a]
    assert await store.delete_captured_messages(MessageFilter(account_id="111111111111")) == 2
    assert await store.list_captured_messages(everything) == [c]
    assert await store.delete_captured_messages(everything) == 1
    assert await store.list_captured_messages(everything) == []


async def test_peek_verification_shows_a_live_tokens_method_and_changes_nothing(store: Store) -> None:
    cm = ContactMethod("333333333333", "us-east-1", EMAIL, "peek@example.com", PENDING_VERIFICATION, new_id(), NOW,
                       verification_expires_at=NOW + 100)  # fmt: skip
    op = Operation(new_id(), cm.account_id, cm.region, cm.name, "ContactMethod", "CreateContactMethod", NOW)
    token = VerificationToken("hash-1", cm.account_id, cm.region, cm.id, NOW, NOW + 100)
    await store.create_contact_method(cm, op, [], token)
    assert await store.peek_verification("hash-1", NOW + 99) == cm
    assert await store.peek_verification("hash-1", NOW + 100) is None  # expired
    assert await store.peek_verification("no-such-hash", NOW) is None
    assert (await store.list_contact_methods(Scope(cm.account_id, cm.region)))[0].status == PENDING_VERIFICATION
    await store.confirm_verification("hash-1", NOW + 1)
    assert await store.peek_verification("hash-1", NOW + 2) is None  # spent
