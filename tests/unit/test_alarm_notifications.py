"""Alarm notification content (a pure rendering) and who receives it."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from alarm_records import new_alarm
from lsnotify.domain.alarms import ALARM, INSUFFICIENT_DATA, OK, Alarm, MonitoredResource
from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS, VALID, ContactMethod
from lsnotify.domain.outbox import NOTIFICATION_KIND
from lsnotify.messages.alarms import SMS_LIMIT, AlarmNotice, render_email, render_sms
from lsnotify.service.alarms.notices import notification_messages, should_notify

NOW = 1_800_000_000.0
WEB = MonitoredResource("111111111111", "eu-west-1", "web-1", "Instance", "r-1", NOW)
ALARM_RECORD = new_alarm(
    "cpu-high", WEB, id="a-1", treat_missing_data="breaching", contact_protocols=(EMAIL, SMS), state=OK
)
POINTS = ((1_799_999_700, 91.5), (1_800_000_000, 72.25))


def notice(alarm: Alarm = ALARM_RECORD, **changes: object) -> AlarmNotice:
    base = AlarmNotice(alarm, OK, ALARM, "Threshold crossed: because.", NOW + 12, POINTS, "Average", "Percent")
    return replace(base, **changes)  # type: ignore[arg-type]


def method(protocol: str, status: str = VALID, endpoint: str | None = None) -> ContactMethod:
    destination = endpoint or ("ops@example.com" if protocol == EMAIL else "+14255550100")
    return ContactMethod("111111111111", "eu-west-1", protocol, destination, status, f"cm-{protocol}", NOW)


def test_email_subject_names_state_alarm_and_region() -> None:
    assert render_email(notice())["subject"] == 'ALARM: "cpu-high" in Europe (Ireland)'
    assert render_email(notice(new_state=OK, old_state=ALARM))["subject"] == 'OK: "cpu-high" in Europe (Ireland)'
    test = render_email(notice(new_state=INSUFFICIENT_DATA, test=True))["subject"]
    assert test == 'INSUFFICIENT_DATA: "cpu-high" in Europe (Ireland) (test)'


def test_email_body_names_everything_that_decided() -> None:
    for body in (render_email(notice())["text"], render_email(notice())["html"]):
        for fragment in (
            "cpu-high",
            "web-1",
            "Instance",
            WEB.arn,
            ALARM_RECORD.arn,
            "CPUUtilization",
            "Average",
            "Percent",
            "ALARM when 2 of the last 3 datapoints are greater than or equal to 80.",
            "Threshold crossed: because.",
            "2027-01-15 08:00:12 UTC",
            "2027-01-15 07:55 UTC",
            "91.5",
            "72.25",
            "breaching",
        ):
            assert fragment in body, fragment
    text = render_email(notice())["text"]
    assert "OK -> ALARM" in text
    assert "91.5  (breaching)" in text and "72.25  (breaching)" not in text
    assert "test notification" not in text
    assert "This is a test notification sent by TestAlarm" in render_email(notice(test=True))["text"]


def test_html_is_escaped() -> None:
    hostile = replace(ALARM_RECORD, name="x<script>alert(1)</script>")
    html = render_email(notice(hostile))["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_sms_is_one_short_line() -> None:
    assert render_sms(notice()) == {
        "text": 'ALARM: "cpu-high" in eu-west-1: web-1 CPUUtilization 72.25 >= 80 (OK->ALARM)'
    }
    assert render_sms(notice(test=True, datapoints=()))["text"].startswith('TEST ALARM: "cpu-high"')
    no_data = render_sms(notice(new_state=INSUFFICIENT_DATA, datapoints=()))["text"]
    assert "CPUUtilization has no data (OK->INSUFFICIENT_DATA)" in no_data


def test_sms_stays_under_160_characters_with_the_longest_names() -> None:
    long_resource = replace(WEB, name="r" * 255)
    long_alarm = replace(
        ALARM_RECORD, name="a" * 255, resource=long_resource, metric_name="HTTPCode_Instance_5XX_Count"
    )
    text = render_sms(notice(long_alarm, new_state=INSUFFICIENT_DATA, old_state=INSUFFICIENT_DATA, test=True))["text"]
    assert len(text) < SMS_LIMIT and "\n" not in text and "…" in text


@pytest.mark.parametrize(
    ("changes", "state", "expected"),
    [
        ({}, ALARM, True),
        ({}, OK, True),
        ({}, INSUFFICIENT_DATA, False),
        ({"notification_enabled": False}, ALARM, False),
        ({"notification_triggers": (ALARM,)}, OK, False),
        ({"contact_protocols": ()}, ALARM, False),
    ],
)
def test_should_notify(changes: dict[str, object], state: str, expected: bool) -> None:
    assert should_notify(replace(ALARM_RECORD, **changes), state) is expected  # type: ignore[arg-type]


def test_messages_go_only_to_valid_methods_and_skips_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="lsnotify.alarms")
    messages = notification_messages(notice(), [method(EMAIL), method(SMS)], NOW, "alarm-a-1-4")
    assert [(m.protocol, m.destination, m.kind) for m in messages] == [
        (EMAIL, "ops@example.com", NOTIFICATION_KIND),
        (SMS, "+14255550100", NOTIFICATION_KIND),
    ]
    assert [m.idempotency_key for m in messages] == ["alarm-a-1-4-Email", "alarm-a-1-4-SMS"]
    assert set(messages[0].payload) == {"subject", "text", "html"} and set(messages[1].payload) == {"text"}
    assert all((m.account_id, m.region, m.next_attempt_at) == ("111111111111", "eu-west-1", NOW) for m in messages)

    pending = method(EMAIL, PENDING_VERIFICATION)
    assert notification_messages(notice(), [pending], NOW, "k") == []
    assert "Email not notified of ALARM: the Email contact method is PendingVerification" in caplog.text
    assert "SMS not notified of ALARM: the region has no SMS contact method" in caplog.text
    lapsed = replace(pending, verification_expires_at=NOW - 1)
    assert notification_messages(notice(), [lapsed], NOW, "k") == []
    assert "is Invalid, not Valid" in caplog.text
