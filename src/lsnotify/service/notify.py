"""Notifications to contact methods: who may receive one, and the outbox message that carries it.

Only ``Valid`` contact methods receive notifications (an Email method becomes ``Valid`` once its address is
confirmed; an SMS method is ``Valid`` at once). Whoever notifies (alarms, TestAlarm) does it in two steps::

    recipients = await notification_recipients(store, scope, now)
    messages = [new_notification(cm, subject=..., text=..., html=..., now=now) for cm in recipients]
    # ... write ``messages`` in the same transaction as the change that causes them (or ``store.enqueue_outbox``)

The message is pre-rendered: delivery sends its ``subject``/``text``/``html`` as they are, knowing nothing about
why. Delivery checks the recipient again just before sending (``delivery/gate.py``), so a contact method deleted
or replaced while its message waited receives nothing.
"""

from __future__ import annotations

from lsnotify.domain import Scope
from lsnotify.domain.contacts import EMAIL, ContactMethod, is_notifiable
from lsnotify.domain.outbox import NOTIFICATION_KIND, OutboxMessage, message_to
from lsnotify.storage.base import Store


async def notification_recipients(store: Store, scope: Scope, now: float) -> list[ContactMethod]:
    """The scope's contact methods that may receive notifications now: the ``Valid`` ones, Email before SMS."""
    return [cm for cm in await store.list_contact_methods(scope) if is_notifiable(cm, now)]


def new_notification(
    cm: ContactMethod, *, subject: str, text: str, html: str, now: float, idempotency_key: str | None = None
) -> OutboxMessage:
    """The outbox message that notifies ``cm``: an email with ``subject``, ``text`` and ``html``, or an SMS of ``text``.

    ``text`` should be short for SMS (one message is 160 GSM characters); nothing here truncates it. The idempotency
    key is the message's id unless the cause has a key of its own (an alarm's state change, say), so that enqueuing
    the same cause twice is refused by the outbox's unique key.
    """
    payload = {"subject": subject, "text": text, "html": html} if cm.protocol == EMAIL else {"text": text}
    return message_to(cm, NOTIFICATION_KIND, payload, now, idempotency_key)
