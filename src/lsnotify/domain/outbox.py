"""The outbox: messages to deliver, their kinds and states, a worker's claim on one, and the dev inbox's copy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from lsnotify.domain import new_log_id
from lsnotify.domain.contacts import ContactMethod

OUTBOX_PENDING: Final = "pending"
OUTBOX_SENT: Final = "sent"
OUTBOX_DEAD: Final = "dead"
OUTBOX_SUPPRESSED: Final = "suppressed"
"""Over its account's hourly cap: kept in the outbox with the reason, never sent."""
OUTBOX_STATES: Final = (OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_DEAD, OUTBOX_SUPPRESSED)

VERIFICATION_KIND: Final = "verification"
"""An email verification: its payload carries the sealed token, and delivery renders the email at send time."""
NOTIFICATION_KIND: Final = "notification"
"""A notification rendered when it was enqueued: ``{"subject", "text", "html"}`` (Email) or ``{"text"}`` (SMS)."""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to deliver, written in the same transaction as the change that causes it."""

    id: str
    account_id: str
    region: str
    protocol: str
    destination: str
    kind: str
    """What the message is (``VERIFICATION_KIND`` or ``NOTIFICATION_KIND``); delivery renders it from ``payload``."""
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: float
    status: str = OUTBOX_PENDING
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    sent_at: float | None = None


def message_to(
    cm: ContactMethod, kind: str, payload: Mapping[str, Any], now: float, idempotency_key: str | None = None
) -> OutboxMessage:
    """A ``kind`` message to contact method ``cm``, due at once. Its idempotency key is its id unless the cause has
    a key of its own."""
    message_id = new_log_id()
    return OutboxMessage(
        id=message_id,
        account_id=cm.account_id,
        region=cm.region,
        protocol=cm.protocol,
        destination=cm.contact_endpoint,
        kind=kind,
        payload=payload,
        idempotency_key=idempotency_key or message_id,
        created_at=now,
        next_attempt_at=now,
    )


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """An outbox message a worker holds under a lease until it records the result."""

    message: OutboxMessage
    """The message, with ``attempts`` counting this attempt."""
    claim: str
    """The claim's token: a result recorded under another token (a lease that ran out) changes nothing."""
    queued_at: float
    """When the current round of attempts began: the message's creation, or an operator's retry."""


@dataclass(frozen=True, slots=True)
class CapturedMessage:
    """A message the ``capture`` provider kept for the dev inbox instead of sending it."""

    id: str
    """The outbox message's id: capturing it again (a redelivery) keeps one copy."""
    account_id: str
    region: str
    protocol: str
    destination: str
    subject: str | None
    """Email only."""
    body: str
    """The plain text."""
    html: str | None
    """Email only: the HTML alternative."""
    created_at: float
    """When it was captured, i.e. delivered."""
