"""Alarm notifications as people read them: the email (subject, text and HTML) and the one-line SMS.

The templates are ``alarm_email.txt``, ``alarm_email.html`` and ``alarm_sms.txt``. An SMS stays within one message
of 160 characters: long alarm and resource names are shortened to fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from lsnotify.awsjson.regions import region_description
from lsnotify.domain.alarms import COMPARISONS, Alarm, breaches
from lsnotify.messages.environment import render
from lsnotify.messages.formats import utc_minute, utc_second

SMS_LIMIT: Final = 160
"""Characters in one SMS (GSM 03.38): a longer text is split into several messages, or refused."""
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


def render_email(notice: AlarmNotice) -> dict[str, str]:
    """The email's ``subject``, ``text`` and ``html``."""
    alarm = notice.alarm
    values: dict[str, Any] = {
        "alarm": alarm,
        "test": notice.test,
        "old_state": notice.old_state,
        "new_state": notice.new_state,
        "reason": notice.reason,
        "at": utc_second(notice.at),
        "region_name": region_description(alarm.region),
        "condition": condition(alarm),
        "statistic": notice.statistic,
        "unit": notice.unit,
        "datapoints": [(utc_minute(start), f"{value:g}") for start, value in notice.datapoints],
        "value_breaches": [
            breaches(alarm.comparison_operator, value, alarm.threshold) for _, value in notice.datapoints
        ],
        "subject": subject(notice),
    }
    return {
        "subject": values["subject"],
        "text": render("alarm_email.txt", values),
        "html": render("alarm_email.html", values),
    }


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_sms(notice: AlarmNotice) -> dict[str, str]:
    """The SMS's ``text``: one line under ``SMS_LIMIT`` characters."""
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
    text = render("alarm_sms.txt", values).strip()
    return {"text": _short(text, SMS_LIMIT - 1)}
