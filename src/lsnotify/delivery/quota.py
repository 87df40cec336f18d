"""The hourly caps on what one account is sent: an email or SMS over its account's cap is suppressed, not sent.

The worker asks just before a message would go out: it is the one place every message passes, whatever queued it
(a verification, an alarm, TestAlarm, a replayed dead letter). The count is the store's, of the account's messages
of that protocol sent in the last hour, so every worker on every node shares it. Messages being sent by several
workers at the same moment are not counted yet: the cap may be passed by at most the sends in flight.
A suppressed message stays in the outbox with the reason (``lsnotify outbox list --status suppressed``).
"""

from __future__ import annotations

from collections.abc import Mapping

from lsnotify.domain import OutboxMessage
from lsnotify.storage.base import Store

HOUR = 3600.0


def over_cap(sent: int, cap: int) -> bool:
    """Whether one more message would pass ``cap`` (0: no cap) after ``sent`` in the hour."""
    return bool(cap) and sent >= cap


def suppression_reason(message: OutboxMessage, sent: int, cap: int) -> str:
    return (
        f"suppressed: account {message.account_id} was sent {sent} {message.protocol} message(s) in the last hour, "
        f"its cap (--{'emails' if message.protocol == 'Email' else 'sms'}-per-hour {cap})"
    )


class Quota:
    def __init__(self, store: Store, caps: Mapping[str, int]) -> None:
        """``caps`` maps a protocol to its messages per account per hour; a protocol absent or 0 has no cap."""
        self._store = store
        self._caps = dict(caps)

    async def suppression(self, message: OutboxMessage, now: float) -> str | None:
        """Why ``message`` must be suppressed rather than sent now, or None to send it."""
        cap = self._caps.get(message.protocol, 0)
        if not cap:
            return None
        sent = await self._store.count_sent(message.account_id, message.protocol, now - HOUR)
        return suppression_reason(message, sent, cap) if over_cap(sent, cap) else None
