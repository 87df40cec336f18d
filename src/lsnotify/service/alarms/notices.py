"""Alarm notifications: which contact methods an alarm notifies, and what the email and SMS say.

A notification is rendered here, once, when the state change (or TestAlarm) that causes it is recorded, and goes to
the outbox in the same transaction as a ``notification`` message (``service/notifications.py``) whose payload is
final: ``{"subject", "text", "html"}`` for Email, ``{"text"}`` (under 160 characters) for SMS; delivery only sends
it. The templates are ``delivery/templates/alarm_email.txt``, ``alarm_email.html`` and ``alarm_sms.txt`` (jinja2;
HTML autoescaped). Each message's idempotency key names its cause and protocol, e.g.
``alarm-<alarm id>-<revision>-Email``, so one state change can never be enqueued twice.

Each protocol of the alarm's ``contactProtocols`` is notified when the region has a contact method of that protocol
and it may receive notifications now (``is_notifiable``: it is ``Valid``); otherwise it is skipped and the skip is
logged (Lightsail: "a notification is not sent if … the specified contact protocol is not configured"; an email must
be verified first).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lsnotify.awsjson.regions import region_description
from lsnotify.domain import EMAIL, ContactMethod, OutboxMessage
from lsnotify.domain.alarms import Alarm
from lsnotify.service.alarms.rule import COMPARISONS, breaches, format_period
from lsnotify.service.notify import is_notifiable, new_notification

log = logging.getLogger("lsnotify.alarms")

SMS_LIMIT = 160
_SMS_NAME_LIMIT = 40


@dataclass(frozen=True, slots=True)
class AlarmNotice:
    """What a notification reports: a state change of ``alarm`` (or a test of one)."""

    alarm: Alarm
    old_state: str
    new_state: str
    reason: str
    at: float
    datapoints: tuple[tuple[int, float], ...]
    """(period start, value) of the datapoints that decided, oldest first."""
    statistic: str
    unit: str
    test: bool = False


def should_notify(alarm: Alarm, state: str) -> bool:
    """Does entering ``state`` notify at all (before looking at contact methods)?"""
    return alarm.notification_enabled and state in alarm.notification_triggers and bool(alarm.contact_protocols)


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("lsnotify.delivery", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        auto_reload=False,  # the templates ship with the package; no stat() per message
    )


def subject(notice: AlarmNotice) -> str:
    text = f'{notice.new_state}: "{notice.alarm.name}" in {region_description(notice.alarm.region)}'
    return text + " (test)" if notice.test else text


def condition(alarm: Alarm) -> str:
    """``ALARM when 2 of the last 3 datapoints are greater than or equal to 80.``"""
    words = COMPARISONS[alarm.comparison_operator][1]
    return (
        f"ALARM when {alarm.datapoints_to_alarm} of the last {alarm.evaluation_periods} datapoints "
        f"{'is' if alarm.evaluation_periods == 1 else 'are'} {words} {alarm.threshold:g}."
    )


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_email(notice: AlarmNotice) -> dict[str, str]:
    alarm = notice.alarm
    values: dict[str, Any] = {
        "alarm": alarm,
        "test": notice.test,
        "old_state": notice.old_state,
        "new_state": notice.new_state,
        "reason": notice.reason,
        "at": _when(notice.at),
        "region_name": region_description(alarm.region),
        "condition": condition(alarm),
        "statistic": notice.statistic,
        "unit": notice.unit,
        "datapoints": [(format_period(start), f"{value:g}") for start, value in notice.datapoints],
        "value_breaches": [
            breaches(alarm.comparison_operator, value, alarm.threshold) for _, value in notice.datapoints
        ],
    }
    values["subject"] = subject(notice)
    env = _templates()
    return {
        "subject": values["subject"],
        "text": env.get_template("alarm_email.txt").render(values),
        "html": env.get_template("alarm_email.html").render(values),
    }


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_sms(notice: AlarmNotice) -> dict[str, str]:
    """One line under 160 characters; long names are shortened to fit."""
    alarm = notice.alarm
    symbol = COMPARISONS[alarm.comparison_operator][0]
    if notice.datapoints:
        observation = f"{notice.datapoints[-1][1]:g} {symbol} {alarm.threshold:g}"
    elif notice.test:
        observation = f"{symbol} {alarm.threshold:g}"
    else:
        observation = "has no data"
    values = {
        "test": notice.test,
        "new_state": notice.new_state,
        "old_state": notice.old_state,
        "alarm_name": _short(alarm.name, _SMS_NAME_LIMIT),
        "region": alarm.region,
        "resource_name": _short(alarm.resource.name, _SMS_NAME_LIMIT),
        "metric": alarm.metric_name,
        "observation": observation,
    }
    text = _templates().get_template("alarm_sms.txt").render(values).strip()
    return {"text": _short(text, SMS_LIMIT - 1)}


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
