"""The last check before a message goes out: is it still wanted?

A message can wait in the outbox (a retry, a dead letter replayed, a worker that was down) while the world changes:
- a ``notification`` goes only to a contact method that is still ``Valid`` with that address;
- a ``verification`` email goes only while its link still works (not replaced by a resend, spent, expired, or its
  contact method deleted): an email whose link is dead would only confuse.
A message that is no longer wanted is dead-lettered with the reason, never sent.
"""

from __future__ import annotations

from lsnotify.domain import Scope
from lsnotify.domain.contacts import hash_token, is_notifiable
from lsnotify.domain.outbox import NOTIFICATION_KIND, VERIFICATION_KIND, OutboxMessage
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store


class Gate:
    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    async def refusal(self, message: OutboxMessage, now: float) -> str | None:
        """Why ``message`` must not be sent now, or None to send it."""
        if message.kind == NOTIFICATION_KIND and not await self._still_notifiable(message, now):
            return f"not sent: {message.destination} is no longer a Valid {message.protocol} contact method"
        if message.kind == VERIFICATION_KIND:
            sealed = message.payload.get("sealedToken")
            if isinstance(sealed, str):
                try:
                    token_hash = hash_token(self._box.open(sealed))
                except ValueError:
                    return None  # the renderer reports an unreadable token
                if await self._store.peek_verification(token_hash, now) is None:
                    return "not sent: its link no longer works (replaced by a newer one, used, expired or deleted)"
        return None

    async def _still_notifiable(self, message: OutboxMessage, now: float) -> bool:
        """Whether ``message``'s destination is still a ``Valid`` contact method of its scope and protocol."""
        scope = Scope(message.account_id, message.region)
        for cm in await self._store.list_contact_methods(scope, [message.protocol]):
            if cm.contact_endpoint == message.destination and is_notifiable(cm, now):
                return True
        return False
