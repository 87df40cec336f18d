"""The ``capture`` provider (the default): keeps each message in the store for the dev inbox instead of sending it.

A redelivery of the same outbox message (after a crash between capturing and recording) keeps one copy.
"""

from __future__ import annotations

from lsnotify.clock import Clock
from lsnotify.delivery.senders import Envelope
from lsnotify.domain.outbox import CapturedMessage
from lsnotify.storage.base import Store


class CaptureSender:
    name = "capture"

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def send(self, envelope: Envelope) -> None:
        await self._store.capture_message(
            CapturedMessage(
                id=envelope.id,
                account_id=envelope.account_id,
                region=envelope.region,
                protocol=envelope.protocol,
                destination=envelope.destination,
                subject=envelope.subject,
                body=envelope.text,
                html=envelope.html,
                created_at=self._clock(),
            )
        )

    async def close(self) -> None:
        pass
