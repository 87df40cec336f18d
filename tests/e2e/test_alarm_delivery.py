"""Alarm notifications delivered for real: an SMTP server (aiosmtpd) receives the ALARM and then the OK email of a
metric pushed over and back under the threshold, and TestAlarm's SMS lands in the dev inbox.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alarm_helpers import lsnotify_client, model_data_path, register
from delivery_harness import smtp_env, verified_email
from harness import Account, ServerProcess, running_server, wait_until
from smtp_sink import SmtpSink


@pytest.fixture(scope="module")
def smtp_server(sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**smtp_env(sink.port), "LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1"}
    yield from running_server(tmp_path_factory.mktemp("alarm-smtp"), env=env)


def test_the_alarm_email_and_the_all_clear_reach_the_smtp_server(
    smtp_server: ServerProcess, sink: SmtpSink, tmp_path: Path
) -> None:
    account = smtp_server.new_account()
    lightsail = smtp_server.client(account)
    address = f"oncall-{account.account_id}@example.com"
    verified_email(lightsail, sink, address)

    metrics = lsnotify_client(smtp_server, account, model_data_path(tmp_path))

    def cpu(value: float) -> None:
        point = {"timestamp": time.time(), "value": value}
        metrics.put_metric_data(
            resourceName="web-1", resourceType="Instance", metricName="CPUUtilization", datapoints=[point]
        )

    cpu(93.0)
    lightsail.put_alarm(
        alarmName="web-1-cpu",
        monitoredResourceName="web-1",
        metricName="CPUUtilization",
        comparisonOperator="GreaterThanThreshold",
        threshold=90.0,
        evaluationPeriods=1,
        contactProtocols=["Email"],
        notificationTriggers=["ALARM", "OK"],
    )
    alarm_id = lightsail.get_alarms(alarmName="web-1-cpu")["alarms"][0]["arn"].rsplit("/", 1)[1]
    alarm_mail = sink.wait_for(address, count=2, timeout=30)[1]
    message = alarm_mail.message
    assert message["Subject"] == 'ALARM: "web-1-cpu" in US East (N. Virginia)'
    assert (message["To"], message["From"]) == (address, "Lightsail alerts <alerts@lsnotify.test>")
    assert message["Message-ID"] == f"<alarm-{alarm_id}-1-Email@lsnotify.test>"
    text = alarm_mail.text()
    for fragment in (
        "web-1-cpu",
        "web-1",
        "CPUUtilization",
        "Average",
        "93",
        "greater than 90",
        "INSUFFICIENT_DATA -> ALARM",
    ):
        assert fragment in text, fragment
    assert "web-1-cpu" in alarm_mail.html() and "93" in alarm_mail.html()

    cpu(0.0)  # the period's average falls to 46.5, or a new period starts at 0
    all_clear = sink.wait_for(address, count=3, timeout=30)[2]
    assert all_clear.message["Subject"] == 'OK: "web-1-cpu" in US East (N. Virginia)'
    assert "ALARM -> OK" in all_clear.text()
    assert all_clear.message["Message-ID"] == f"<alarm-{alarm_id}-2-Email@lsnotify.test>"


def inbox(server: ServerProcess, account: Account) -> list[dict[str, Any]]:
    url = f"{server.url}/_lsnotify/messages?protocol=SMS&accountId={account.account_id}"
    with urllib.request.urlopen(url, timeout=10) as response:
        found: list[dict[str, Any]] = json.loads(response.read())["messages"]
    return found


def test_test_alarm_delivers_to_the_dev_inbox(server: ServerProcess, account: Account, lightsail: Any) -> None:
    register(server, account, "db-1", "RelationalDatabase")
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550142")
    lightsail.put_alarm(
        alarmName="db-connections",
        monitoredResourceName="db-1",
        metricName="DatabaseConnections",
        comparisonOperator="GreaterThanOrEqualToThreshold",
        threshold=500.0,
        evaluationPeriods=3,
        contactProtocols=["SMS"],
        notificationTriggers=["ALARM", "OK"],
    )
    lightsail.test_alarm(alarmName="db-connections", state="ALARM")
    (sms,) = wait_until(lambda: inbox(server, account), timeout=30, what="the test SMS in the dev inbox")
    assert sms["destination"] == "+14255550142" and sms["region"] == "us-east-1"
    assert sms["body"] == (
        'TEST ALARM: "db-connections" in us-east-1: db-1 DatabaseConnections >= 500 (INSUFFICIENT_DATA->ALARM)'
    )
