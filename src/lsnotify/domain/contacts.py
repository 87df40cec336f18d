"""Contact methods (one Email and one SMS per region), their statuses, and the email verification token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from lsnotify.domain import Tag, lightsail_arn

EMAIL: Final = "Email"
SMS: Final = "SMS"

PENDING_VERIFICATION: Final = "PendingVerification"
VALID: Final = "Valid"
INVALID: Final = "Invalid"


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


def is_notifiable(cm: ContactMethod, now: float) -> bool:
    """Whether ``cm`` may receive notifications at ``now``: only a ``Valid`` contact method does."""
    return cm.status_at(now) == VALID


@dataclass(frozen=True, slots=True)
class VerificationToken:
    """An email verification token; only its SHA-256 (``hash_token``) is stored."""

    token_hash: str
    account_id: str
    region: str
    contact_method_id: str
    created_at: float
    expires_at: float


def hash_token(raw_token: str) -> str:
    """What the store keeps of a verification token, and looks it up by."""
    return hashlib.sha256(raw_token.encode()).hexdigest()
