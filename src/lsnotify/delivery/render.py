"""Turns an outbox message into an ``Envelope``: renders verification emails, passes notifications through.

A ``verification`` message is rendered at send time (``messages/verification.py``): the sealed token is opened only
now, so the raw link exists nowhere but in the email. A ``notification`` message arrives pre-rendered
(``{"subject", "text", "html"}`` for Email, ``{"text"}`` for SMS) and is sent as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.domain.contacts import EMAIL
from lsnotify.domain.outbox import NOTIFICATION_KIND, VERIFICATION_KIND, OutboxMessage
from lsnotify.identity import SecretBox
from lsnotify.messages.verification import render_verification


class Renderer:
    def __init__(self, box: SecretBox, public_url: str) -> None:
        self._box = box
        self._public_url = public_url

    def render(self, message: OutboxMessage) -> Envelope:
        if message.kind == VERIFICATION_KIND:
            return self._verification(message)
        if message.kind == NOTIFICATION_KIND:
            return _notification(message)
        raise DeliveryFailed(f"unknown message kind {message.kind!r}", permanent=True)

    def _verification(self, message: OutboxMessage) -> Envelope:
        payload = message.payload
        try:
            raw_token = self._box.open(_text(payload, "sealedToken"))
        except ValueError as exc:
            raise DeliveryFailed(str(exc), permanent=True) from None
        email = render_verification(
            public_url=self._public_url,
            raw_token=raw_token,
            account_id=message.account_id,
            region=message.region,
            address=message.destination,
            contact_method_name=_text(payload, "contactMethodName"),
            expires_at=float(payload["expiresAt"]),
        )
        return _envelope(message, subject=email["subject"], text=email["text"], html=email["html"])


def _notification(message: OutboxMessage) -> Envelope:
    payload = message.payload
    if message.protocol == EMAIL:
        return _envelope(
            message, subject=_text(payload, "subject"), text=_text(payload, "text"), html=_text(payload, "html")
        )
    return _envelope(message, text=_text(payload, "text"))


def _envelope(message: OutboxMessage, *, text: str, subject: str | None = None, html: str | None = None) -> Envelope:
    return Envelope(
        id=message.id,
        idempotency_key=message.idempotency_key,
        protocol=message.protocol,
        destination=message.destination,
        text=text,
        account_id=message.account_id,
        region=message.region,
        created_at=message.created_at,
        subject=subject,
        html=html or None,
    )


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise DeliveryFailed(f"the message's payload has no text {key!r}", permanent=True)
    return value
