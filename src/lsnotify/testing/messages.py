"""The messages a mock captured, in the dev inbox's shape (DESIGN §2).

Provisional: until the dev inbox (the ``capture`` delivery provider) is merged, the messages are read from the
outbox, where every message is written in the same transaction as the change that causes it, and the verification
email's subject and body are a plain-text stand-in for the rendered email, holding its confirm link. Once the dev
inbox lands, ``MockLightsail.messages`` returns what it captured instead; the fields stay the same.
"""

from __future__ import annotations

from typing import Any

from lsnotify.domain import OutboxMessage
from lsnotify.identity import SecretBox
from lsnotify.service.verification import VERIFICATION_KIND


def inbox_message(message: OutboxMessage, box: SecretBox, public_url: str) -> dict[str, Any]:
    subject: str | None = None
    body = ""
    if message.kind == VERIFICATION_KIND:
        link = f"{public_url}/verify/{box.open(message.payload['sealedToken'])}"
        subject = "Verify your email address for Lightsail notifications"
        body = (
            f"Confirm that {message.destination} may receive notifications for "
            f"{message.payload['contactMethodName']} (account {message.account_id}, {message.region}): {link}"
        )
    return {
        "id": message.id,
        "protocol": message.protocol,
        "destination": message.destination,
        "subject": subject,
        "body": body,
        "accountId": message.account_id,
        "region": message.region,
        "createdAt": message.created_at,
    }
