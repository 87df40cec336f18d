"""Email verification: tokens, the verification message in the outbox, and confirming a token.

A token is 256 random bits, sent only inside the verification email; the store keeps its SHA-256. The outbox
message carries the token sealed with the data directory's key, so a copied database reveals no live link.
"""

from __future__ import annotations

import re
import secrets

from lsnotify.domain.contacts import ContactMethod, VerificationToken, hash_token
from lsnotify.domain.outbox import VERIFICATION_KIND, OutboxMessage, message_to
from lsnotify.service import Services
from lsnotify.storage.base import RecordNotFound


def new_verification(svc: Services, cm: ContactMethod, now: float) -> tuple[VerificationToken, OutboxMessage]:
    """A fresh token for ``cm`` and the message that delivers its link."""
    raw = secrets.token_urlsafe(32)
    expires_at = now + svc.rules.verification_ttl
    token = VerificationToken(hash_token(raw), cm.account_id, cm.region, cm.id, now, expires_at)
    payload = {
        "sealedToken": svc.box.seal(raw),
        "contactMethodArn": cm.arn,
        "contactMethodName": cm.name,
        "expiresAt": expires_at,
    }
    return token, message_to(cm, VERIFICATION_KIND, payload, now)


# The confirmation pages: a token is looked up only when it has the shape ``new_verification`` gives it.
_RAW_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


async def pending_verification(svc: Services, raw_token: str) -> ContactMethod | None:
    """The contact method ``raw_token`` would verify, changing nothing; None for a bad, used or expired token."""
    if not _RAW_TOKEN.fullmatch(raw_token):
        return None
    return await svc.store.peek_verification(hash_token(raw_token), svc.clock())


async def confirm_verification(svc: Services, raw_token: str) -> ContactMethod | None:
    """Spend ``raw_token``: its contact method becomes ``Valid``. None for a bad, used or expired token."""
    if not _RAW_TOKEN.fullmatch(raw_token):
        return None
    try:
        return await svc.store.confirm_verification(hash_token(raw_token), svc.clock())
    except RecordNotFound:
        return None
