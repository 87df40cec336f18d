"""The hourly caps on what one account is sent: an email or SMS over its account's cap is suppressed, not sent.

The worker asks just before a message would go out: it is the one place every message passes, whatever queued it
(a verification, an alarm, TestAlarm, a replayed dead letter). The count is the store's, of the account's messages
of that protocol sent in the last hour, so every worker on every node shares it, plus this worker's sends admitted
but not yet released (each counted once: the store leaves them out), so one worker never passes the cap however
many it sends at once. Several workers may together pass it by at most the other workers' sends in flight.
A suppressed message stays in the outbox with the reason (``lsnotify outbox list --status suppressed``).
"""

from __future__ import annotations

from collections.abc import Mapping

from lsnotify.domain.contacts import EMAIL
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.base import Store

HOUR = 3600.0


def over_cap(sent: int, cap: int) -> bool:
    """Whether one more message would pass ``cap`` (0: no cap) after ``sent`` in the hour."""
    return bool(cap) and sent >= cap


def suppression_reason(message: OutboxMessage, sent: int, cap: int) -> str:
    return (
        f"suppressed: account {message.account_id} was sent {sent} {message.protocol} message(s) in the last hour, "
        f"its cap (--{'emails' if message.protocol == EMAIL else 'sms'}-per-hour {cap})"
    )


class Quota:
    def __init__(self, store: Store, caps: Mapping[str, int]) -> None:
        """``caps`` maps a protocol to its messages per account per hour; a protocol absent or 0 has no cap."""
        self._store = store
        self._caps = dict(caps)
        self._in_flight: dict[tuple[str, str], set[str]] = {}
        """(account, protocol) → the ids of the messages admitted and not yet released."""

    async def admit(self, message: OutboxMessage, now: float) -> str | None:
        """Why ``message`` must be suppressed rather than sent now, or None: it may go, and counts as in flight until
        ``release``, which the caller calls once its outcome is recorded."""
        cap = self._caps.get(message.protocol, 0)
        if not cap:
            return None
        key = (message.account_id, message.protocol)
        in_flight = self._in_flight.setdefault(key, set())
        # The store leaves out the sends in flight, which are added after the await: those admitted meanwhile count,
        # and one recorded meanwhile is counted once.
        counted = await self._store.count_sent(message.account_id, message.protocol, now - HOUR, frozenset(in_flight))
        sent = counted + len(in_flight)
        if over_cap(sent, cap):
            if not in_flight:
                del self._in_flight[key]
            return suppression_reason(message, sent, cap)
        in_flight.add(message.id)
        return None

    def release(self, message: OutboxMessage) -> None:
        """``message``'s outcome is recorded: the store counts it from now on, if it was sent. Harmless when it was
        never admitted."""
        key = (message.account_id, message.protocol)
        in_flight = self._in_flight.get(key)
        if in_flight is not None:
            in_flight.discard(message.id)
            if not in_flight:
                del self._in_flight[key]
