"""Turns an outbox message into an ``Envelope``: renders verification emails, passes notifications through.

``verification`` messages are rendered here, at send time, from the templates in ``templates/``: the sealed token
is opened only now, so the raw link exists nowhere but in the email. ``notification`` messages arrive
pre-rendered (``{"subject", "text", "html"}`` for Email, ``{"text"}`` for SMS) and are sent as they are.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jinja2

from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.domain import EMAIL, OutboxMessage
from lsnotify.identity import SecretBox
from lsnotify.service.notify import NOTIFICATION_KIND
from lsnotify.service.verification import VERIFICATION_KIND

VERIFICATION_SUBJECT = "Confirm your email address for Amazon Lightsail notifications"

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("lsnotify.delivery", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def verify_url(public_url: str, raw_token: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{raw_token}"


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
        context = {
            "link": verify_url(self._public_url, raw_token),
            "account_id": message.account_id,
            "region": message.region,
            "address": message.destination,
            "contact_method_name": _text(payload, "contactMethodName"),
            "expires": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(float(payload["expiresAt"]))),
            "public_url": self._public_url,
        }
        return _envelope(
            message,
            subject=VERIFICATION_SUBJECT,
            text=_templates.get_template("verification.txt").render(context),
            html=_templates.get_template("verification.html").render(context),
        )


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
