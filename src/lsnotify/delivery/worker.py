"""The outbox worker: claim due messages, send each through its protocol's sender, record the result.

``run_once()`` is one round (claim a batch, send it, record) and is what tests drive. ``run(stop)`` is the loop:
it keeps up to ``batch_size`` messages claimed, sends ``concurrency`` of them at once, claims more when half the
batch is done, looks at the outbox every ``poll_interval`` seconds when idle, and on ``stop`` finishes the sends in
hand (for at most ``grace`` seconds; a message cut off is claimed again once its lease runs out).

Claims are leased: a worker that dies (``kill -9``) leaves its messages claimed until ``lease_timeout`` passes, then
any worker claims them again. So delivery is at-least-once: a message sent just before a crash, but not recorded,
is sent again, with the same idempotency key (the email's ``Message-ID``). A failed attempt is retried under the
``RetryPolicy``; a permanent failure, or running out of attempts or time, dead-letters the message, and so does
the ``Gate`` when a message is no longer wanted (its recipient or its link changed while it waited). A message over
its account's hourly cap (``Quota``) is suppressed: recorded with the reason, never sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from lsnotify.clock import Clock
from lsnotify.delivery.gate import Gate
from lsnotify.delivery.quota import Quota
from lsnotify.delivery.render import Renderer
from lsnotify.delivery.retry import RetryPolicy
from lsnotify.delivery.senders import DeliveryFailed, Sender
from lsnotify.domain.outbox import ClaimedMessage
from lsnotify.process import process_name
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify.delivery")

# Called once per attempt with (provider, outcome): "sent", "failed" (to be retried), "dead" or "suppressed".
DeliveryObserver = Callable[[str, str], None]

PRUNE_EVERY = 3600.0


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    poll_interval: float
    batch_size: int
    concurrency: int
    lease_timeout: float
    retention: float
    """Seconds a sent message stays in the outbox before it is pruned."""
    grace: float = 10.0
    """Seconds ``run`` lets the sends in hand finish once stopped."""


class Worker:
    def __init__(
        self,
        *,
        store: Store,
        senders: Mapping[str, Sender],
        renderer: Renderer,
        gate: Gate,
        policy: RetryPolicy,
        options: WorkerOptions,
        clock: Clock,
        observe: DeliveryObserver | None = None,
        name: str | None = None,
        quota: Quota | None = None,
    ) -> None:
        self._store = store
        self._senders = senders
        self._renderer = renderer
        self._gate = gate
        self._policy = policy
        self._options = options
        self._clock = clock
        self._observe = observe
        self._quota = quota or Quota(store, {})
        self.name = name or process_name()
        self._sending = asyncio.Semaphore(options.concurrency)
        self._pruned_at = 0.0

    async def run_once(self) -> int:
        """Claim up to ``batch_size`` due messages, deliver them, record the results; return how many."""
        claimed = await self._claim(self._options.batch_size)
        await asyncio.gather(*(self._deliver(c) for c in claimed))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; see the module docstring."""
        in_hand: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        refill_below = max(1, self._options.batch_size // 2)
        try:
            while not stop.is_set():
                await self._prune_now_and_then()
                room = self._options.batch_size - len(in_hand)
                claimed = await self._claim(room) if len(in_hand) < refill_below else []
                for message in claimed:
                    task = asyncio.create_task(self._deliver(message))
                    in_hand.add(task)
                    task.add_done_callback(in_hand.discard)
                # With work in hand, wake when some of it is done; with none, look again after the poll interval.
                busy = len(in_hand) >= refill_below or (claimed and len(claimed) == room)
                await asyncio.wait(
                    {stopping, *in_hand},
                    timeout=None if busy else self._options.poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            stopping.cancel()
            if in_hand:
                _, cut_off = await asyncio.wait(in_hand, timeout=self._options.grace)
                for task in cut_off:
                    task.cancel()
                log.info("delivery stopped; %d message(s) cut off will be retried after their lease", len(cut_off))

    async def close(self) -> None:
        for sender in {id(s): s for s in self._senders.values()}.values():
            await sender.close()

    async def _claim(self, limit: int) -> list[ClaimedMessage]:
        try:
            return await self._store.claim_outbox(self.name, self._clock(), limit, self._options.lease_timeout)
        except Exception:
            log.exception("claiming outbox messages failed; trying again later")
            return []

    async def _deliver(self, claimed: ClaimedMessage) -> None:
        try:
            await self._attempt(claimed)
        finally:
            self._quota.release(claimed.message)  # once its outcome is recorded: the store counts it by then

    async def _attempt(self, claimed: ClaimedMessage) -> None:
        message = claimed.message
        sender = self._senders[message.protocol]
        failure: DeliveryFailed | None = None
        suppressed: str | None = None
        async with self._sending:  # the slot is held for the send only, not while its result is committed
            try:
                envelope = self._renderer.render(message)
                if (refusal := await self._gate.refusal(message, self._clock())) is not None:
                    raise DeliveryFailed(refusal, permanent=True)
                if (suppressed := await self._quota.admit(message, self._clock())) is None:
                    await sender.send(envelope)
            except DeliveryFailed as exc:
                failure = exc
            except Exception as exc:
                log.exception("delivering message %s failed unexpectedly", message.id)
                failure = DeliveryFailed(f"{type(exc).__name__}: {exc}")
        if suppressed is not None:
            await self._record(self._store.record_outbox_suppressed(claimed, suppressed), message.id)
            log.warning("message %s to %s not sent: %s", message.id, message.destination, suppressed)
            self._observed(sender.name, "suppressed")
            return
        if failure is None:
            await self._record(self._store.record_outbox_sent(claimed, self._clock()), message.id)
            self._observed(sender.name, "sent")
            return
        now = self._clock()
        retry_at = None if failure.permanent else self._policy.next_attempt_at(message.attempts, claimed.queued_at, now)
        await self._record(self._store.record_outbox_failure(claimed, str(failure), retry_at), message.id)
        if retry_at is None:
            log.error(
                "message %s to %s is dead after %d attempt(s): %s",
                message.id,
                message.destination,
                message.attempts,
                failure,
            )
            self._observed(sender.name, "dead")
        else:
            log.warning(
                "message %s to %s failed (attempt %d), retrying in %.1fs: %s",
                message.id,
                message.destination,
                message.attempts,
                retry_at - now,
                failure,
            )
            self._observed(sender.name, "failed")

    async def _record(self, write: Awaitable[object], message_id: str) -> None:
        try:
            await write
        except Exception:
            log.exception("recording the result of message %s failed; it is retried after its lease", message_id)

    def _observed(self, provider: str, outcome: str) -> None:
        if self._observe is not None:
            self._observe(provider, outcome)

    async def _prune_now_and_then(self) -> None:
        now = self._clock()
        if now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            pruned = await self._store.prune_outbox(now - self._options.retention)
        except Exception:
            log.exception("pruning sent messages from the outbox failed")
            return
        if pruned:
            log.info("pruned %d sent message(s) older than %.0fs from the outbox", pruned, self._options.retention)
