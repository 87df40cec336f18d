"""What every provider implements: ``Sender.send(envelope)``, which delivers one rendered message or raises.

A sender knows its protocol's transport and nothing of why a message exists. It signals failure with
``DeliveryFailed``: ``permanent`` when trying again cannot help (a refused mailbox, a malformed address), so the
message is dead-lettered at once; otherwise the worker retries it later under its retry policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryFailed(Exception):
    """The provider did not take the message; the message says why, for ``outbox list``."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Envelope:
    """A message ready to send: who to, and what, in the protocol's terms."""

    id: str
    """The outbox message's id."""
    idempotency_key: str
    """The same on every attempt: the email's ``Message-ID``, the webhook's ``Idempotency-Key``."""
    protocol: str
    destination: str
    """An email address, or an E.164 phone number."""
    text: str
    account_id: str
    region: str
    created_at: float
    subject: str | None = None
    """Email only."""
    html: str | None = None
    """Email only, optional: the HTML alternative to ``text``."""


class Sender(Protocol):
    name: str
    """The provider's name, e.g. ``smtp``: the label of its delivery metrics."""

    async def send(self, envelope: Envelope) -> None:
        """Deliver ``envelope``, or raise ``DeliveryFailed``."""

    async def close(self) -> None:
        """Release connections; ``send`` is not called afterwards."""
