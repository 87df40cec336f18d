"""The records lsnotify keeps, as frozen dataclasses, and how their ids and ARNs are formed.

Every record belongs to one (account, region) scope. Timestamps are epoch seconds (float).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

EMAIL: Final = "Email"
SMS: Final = "SMS"

PENDING_VERIFICATION: Final = "PendingVerification"
VALID: Final = "Valid"
INVALID: Final = "Invalid"

KEY_ACTIVE: Final = "Active"
KEY_INACTIVE: Final = "Inactive"

OUTBOX_PENDING: Final = "pending"
OUTBOX_SENT: Final = "sent"
OUTBOX_DEAD: Final = "dead"
OUTBOX_SUPPRESSED: Final = "suppressed"
"""Over its account's hourly cap: kept in the outbox with the reason, never sent."""
OUTBOX_STATES: Final = (OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_DEAD, OUTBOX_SUPPRESSED)


def new_id() -> str:
    return str(uuid.uuid4())


def lightsail_arn(region: str, account_id: str, resource_type: str, resource_id: str) -> str:
    return f"arn:aws:lightsail:{region}:{account_id}:{resource_type}/{resource_id}"


@dataclass(frozen=True, slots=True)
class Scope:
    """The (account, region) pair that owns every record; no query crosses it."""

    account_id: str
    region: str


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ContactMethod:
    account_id: str
    region: str
    protocol: str
    contact_endpoint: str
    status: str
    id: str
    created_at: float
    tags: tuple[Tag, ...] = ()
    verification_expires_at: float | None = None
    """While an Email method is pending: when its verification lapses and it becomes ``Invalid``."""

    @property
    def name(self) -> str:
        return contact_method_name(self.protocol, self.region)

    @property
    def arn(self) -> str:
        return lightsail_arn(self.region, self.account_id, "ContactMethod", self.id)

    def status_at(self, now: float) -> str:
        """The status as of ``now``: a pending verification past its deadline reads as ``Invalid``."""
        expires_at = self.verification_expires_at
        if self.status == PENDING_VERIFICATION and expires_at is not None and now >= expires_at:
            return INVALID
        return self.status


def contact_method_name(protocol: str, region: str) -> str:
    """One name per protocol and region, e.g. ``Email-us-east-1``: a valid Lightsail ``ResourceName``."""
    return f"{protocol}-{region}"


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    account_id: str
    region: str
    resource_name: str
    resource_type: str
    operation_type: str
    created_at: float
    status: str = "Succeeded"
    is_terminal: bool = True
    status_changed_at: float | None = None
    operation_details: str | None = None
    error_code: str | None = None
    error_details: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to deliver, written in the same transaction as the change that causes it."""

    id: str
    account_id: str
    region: str
    protocol: str
    destination: str
    kind: str
    """What the message is, e.g. ``verification``; delivery renders it from ``payload``."""
    payload: Mapping[str, Any]
    idempotency_key: str
    created_at: float
    status: str = OUTBOX_PENDING
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    sent_at: float | None = None


@dataclass(frozen=True, slots=True)
class VerificationToken:
    """An email verification token; only its SHA-256 is stored."""

    token_hash: str
    account_id: str
    region: str
    contact_method_id: str
    created_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class AccessKey:
    access_key_id: str
    account_id: str
    secret_sealed: str
    """The secret access key, encrypted with the data directory's key (see ``identity``)."""
    status: str
    created_at: float


@dataclass(frozen=True, slots=True)
class TaggableResource:
    """What TagResource and UntagResource resolve a ``resourceName`` to."""

    resource_type: str
    resource_id: str
    name: str
    arn: str
    tags: tuple[Tag, ...] = field(default=())


# -- delivery (issue 3) -------------------------------------------------------------------------------------------


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
