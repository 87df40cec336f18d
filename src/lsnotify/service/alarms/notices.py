"""Alarm notifications: which contact methods an alarm notifies, and the outbox messages that carry them.

A notification is rendered (``messages/alarms.py``) once, when the state change (or TestAlarm) that causes it is
recorded, and goes to the outbox in the same transaction as a ``notification`` message (``service/notify.py``) whose
payload is final: ``{"subject", "text", "html"}`` for Email, ``{"text"}`` (under 160 characters) for SMS; delivery
only sends it. Each message's idempotency key names its cause and protocol, e.g.
``alarm-<alarm id>-<revision>-Email``, so one state change can never be enqueued twice.

Each protocol of the alarm's ``contactProtocols`` is notified when the region has a contact method of that protocol
and it may receive notifications now (``is_notifiable``: it is ``Valid``); otherwise it is skipped and the skip is
logged (Lightsail: "a notification is not sent if … the specified contact protocol is not configured"; an email must
be verified first).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from lsnotify.domain.alarms import Alarm
from lsnotify.domain.contacts import EMAIL, ContactMethod, is_notifiable
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.messages.alarms import AlarmNotice, render_email, render_sms
from lsnotify.service.notify import new_notification

log = logging.getLogger("lsnotify.alarms")


def should_notify(alarm: Alarm, state: str) -> bool:
    """Does entering ``state`` notify at all (before looking at contact methods)?"""
    return alarm.notification_enabled and state in alarm.notification_triggers and bool(alarm.contact_protocols)


def notification_messages(
    notice: AlarmNotice, contact_methods: Sequence[ContactMethod], now: float, idempotency_key: str
) -> list[OutboxMessage]:
    """One outbox message per protocol of the alarm whose contact method is ``Valid`` at ``now``; skips are logged.

    ``idempotency_key`` names the cause (one state change, one TestAlarm call); each message's key adds its protocol.
    """
    alarm = notice.alarm
    by_protocol = {cm.protocol: cm for cm in contact_methods}
    messages = []
    for protocol in alarm.contact_protocols:
        cm = by_protocol.get(protocol)
        if cm is None:
            log.info(
                "alarm %s (account %s, %s): %s not notified of %s: the region has no %s contact method",
                alarm.name, alarm.account_id, alarm.region, protocol, notice.new_state, protocol,
            )  # fmt: skip
            continue
        if not is_notifiable(cm, now):
            log.warning(
                "alarm %s (account %s, %s): %s not notified of %s: the %s contact method is %s, not Valid",
                alarm.name, alarm.account_id, alarm.region, protocol, notice.new_state, protocol, cm.status_at(now),
            )  # fmt: skip
            continue
        content = render_email(notice) if protocol == EMAIL else {"subject": "", "html": "", **render_sms(notice)}
        key = f"{idempotency_key}-{protocol}"
        messages.append(new_notification(cm, **content, now=now, idempotency_key=key))
    return messages
