"""Alarms evaluated for real: metrics pushed over the wire or by the CLI, a 1-second evaluation interval, and the
notifications that land in the outbox (the delivery worker sends them; its tests cover that part).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alarm_helpers import lsnotify_client, model_data_path, notifications, register, verify_email
from harness import Account, ServerProcess, cli_json, error_of, running_server, wait_until

EVALUATING = {"LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1", "LSNOTIFY_KEY_CACHE_TTL": "0"}
CPU_OVER_80 = {
    "metricName": "CPUUtilization",
    "comparisonOperator": "GreaterThanOrEqualToThreshold",
    "threshold": 80.0,
    "evaluationPeriods": 1,
}


@pytest.fixture(scope="module")
def evaluating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose evaluator runs every second."""
    yield from running_server(tmp_path_factory.mktemp("evaluating"), env=EVALUATING)


@pytest.fixture(scope="module")
def data_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_data_path(tmp_path_factory.mktemp("botocore-data"))


@pytest.fixture
def account(evaluating: ServerProcess) -> Account:
    return evaluating.new_account()


@pytest.fixture
def lightsail(evaluating: ServerProcess, account: Account) -> Any:
    return evaluating.client(account)


@pytest.fixture
def metrics(evaluating: ServerProcess, account: Account, data_path: Path) -> Any:
    return lsnotify_client(evaluating, account, data_path)


def cpu(metrics: Any, value: float, resource: str = "web-1", at: float | None = None) -> None:
    point = {"timestamp": time.time() if at is None else at, "value": value}
    response = metrics.put_metric_data(
        resourceName=resource, resourceType="Instance", metricName="CPUUtilization", datapoints=[point]
    )
    assert response["datapointsAccepted"] == 1


def wait_for_state(lightsail: Any, name: str, state: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        (alarm,) = lightsail.get_alarms(alarmName=name)["alarms"]
        return alarm if alarm["state"] == state else None

    result: dict[str, Any] = wait_until(reached, timeout=30, interval=0.1, what=f"{name} to be {state}")
    return result


def test_a_breach_over_the_wire_alarms_and_notifies_then_clears(
    evaluating: ServerProcess, account: Account, lightsail: Any, metrics: Any
) -> None:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="oncall@example.com")
    verify_email(evaluating, account)
    cpu(metrics, 12.0, at=time.time() - 3600)  # registers web-1; an hour ago, outside the alarm's range
    lightsail.put_alarm(
        alarmName="cpu-high",
        monitoredResourceName="web-1",
        contactProtocols=["Email"],
        notificationTriggers=["ALARM", "OK"],
        **CPU_OVER_80,
    )
    wait_for_state(lightsail, "cpu-high", "INSUFFICIENT_DATA")
    cpu(metrics, 95.5)
    alarm = wait_for_state(lightsail, "cpu-high", "ALARM")

    (message,) = notifications(evaluating, account)
    assert (message.kind, message.protocol, message.destination) == ("notification", "Email", "oncall@example.com")
    assert message.payload["subject"] == 'ALARM: "cpu-high" in US East (N. Virginia)'
    text = message.payload["text"]
    for fragment in ("web-1", alarm["arn"], "CPUUtilization", "Average", "95.5", "INSUFFICIENT_DATA -> ALARM"):
        assert fragment in text, fragment
    assert "greater than or equal to 80" in text and "95.5" in message.payload["html"]
    assert message.idempotency_key == f"alarm-{alarm['arn'].rsplit('/', 1)[1]}-1-Email"

    # An update keeps the state (and changes nothing the evaluator would act on).
    lightsail.put_alarm(
        alarmName="cpu-high",
        monitoredResourceName="web-1",
        contactProtocols=["Email"],
        notificationTriggers=["ALARM", "OK"],
        **{**CPU_OVER_80, "threshold": 90.0},
    )
    assert lightsail.get_alarms(alarmName="cpu-high")["alarms"][0]["state"] == "ALARM"

    cpu(metrics, 0.0)  # the period's average drops to 47.75, or a new period starts at 0
    wait_for_state(lightsail, "cpu-high", "OK")
    first, second = notifications(evaluating, account)
    assert first.id == message.id  # (delivery may have sent it meanwhile)
    assert second.payload["subject"] == 'OK: "cpu-high" in US East (N. Virginia)'
    assert "ALARM -> OK" in second.payload["text"]


def test_a_breach_from_the_cli_notifies_by_email_and_sms(
    evaluating: ServerProcess, account: Account, lightsail: Any
) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550199")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="cli@example.com")
    verify_email(evaluating, account)
    put = evaluating.cli(
        "metrics", "put", "--account-id", account.account_id, "--region", "us-east-1", "--resource-type", "Instance",
        "--resource-name", "cli-web", "--metric", "CPUUtilization", "--value", "99",
    )  # fmt: skip
    assert cli_json(put)["datapointsAccepted"] == 1
    lightsail.put_alarm(
        alarmName="cli-cpu", monitoredResourceName="cli-web", contactProtocols=["SMS", "Email"], **CPU_OVER_80
    )
    wait_for_state(lightsail, "cli-cpu", "ALARM")
    email, sms = notifications(evaluating, account)
    assert (email.protocol, email.destination) == ("Email", "cli@example.com")
    assert email.payload["subject"] == 'ALARM: "cli-cpu" in US East (N. Virginia)'
    assert "cli-web" in email.payload["text"] and "99" in email.payload["text"]
    assert (sms.protocol, sms.destination) == ("SMS", "+14255550199")
    assert sms.payload == {
        "text": 'ALARM: "cli-cpu" in us-east-1: cli-web CPUUtilization 99 >= 80 (INSUFFICIENT_DATA->ALARM)'
    }


@pytest.mark.parametrize("case", ["notifications off", "OK is no trigger", "unverified email", "deleted SMS"])
def test_state_changes_that_notify_nobody(
    evaluating: ServerProcess, account: Account, lightsail: Any, metrics: Any, case: str
) -> None:
    options: dict[str, Any] = {"contactProtocols": ["Email", "SMS"], "notificationTriggers": ["ALARM", "OK"]}
    lightsail.create_contact_method(protocol="Email", contactEndpoint="quiet@example.com")
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550177")
    if case == "notifications off":
        options["notificationEnabled"] = False
    elif case == "OK is no trigger":
        options = {"contactProtocols": ["SMS"], "notificationTriggers": ["ALARM"]}
    elif case == "unverified email":
        options["contactProtocols"] = ["Email"]
    else:
        lightsail.delete_contact_method(protocol="SMS")
        options["contactProtocols"] = ["SMS"]
    cpu(metrics, 97.0)
    lightsail.put_alarm(alarmName="quiet", monitoredResourceName="web-1", **options, **CPU_OVER_80)
    wait_for_state(lightsail, "quiet", "ALARM")
    if case == "OK is no trigger":
        assert [m.payload["text"][:5] for m in notifications(evaluating, account)] == ["ALARM"]
        cpu(metrics, 0.0)
        wait_for_state(lightsail, "quiet", "OK")
        assert len(notifications(evaluating, account)) == 1
        return
    # The state change and its notifications commit together: once the state is visible, so would they be.
    assert notifications(evaluating, account) == []
    if case == "unverified email":
        expected = f"quiet (account {account.account_id}, us-east-1): Email not notified of ALARM: the Email contact"
        assert expected in evaluating.log()
    if case == "deleted SMS":
        expected = f"(account {account.account_id}, us-east-1): SMS not notified of ALARM: the region has no SMS"
        assert expected in evaluating.log()


def test_alarm_history_records_each_change_with_its_reason(
    evaluating: ServerProcess, account: Account, lightsail: Any, metrics: Any
) -> None:
    cpu(metrics, 85.0)
    lightsail.put_alarm(alarmName="logged", monitoredResourceName="web-1", **CPU_OVER_80)
    wait_for_state(lightsail, "logged", "ALARM")
    history = cli_json(
        evaluating.cli("alarms", "history", "--account-id", account.account_id, "--region", "us-east-1", "logged")
    )
    (change,) = history["stateChanges"]
    assert (change["oldState"], change["newState"], change["notified"]) == ("INSUFFICIENT_DATA", "ALARM", [])
    assert change["reason"].startswith("Threshold crossed: 1 of the last 1 datapoints [85] was greater than or equal")
    assert [point["value"] for point in change["datapoints"]][-1] == 85.0


@pytest.mark.parametrize(
    ("request_changes", "message"),
    [
        ({"resourceType": "LoadBalancer", "metricName": "RequestCount"}, 'resourceType: "web-1" is registered with'),
        ({"metricName": "RequestCount"}, 'metricName: "RequestCount" is not a metric of Instance resources'),
        ({"metricName": "BucketSizeBytes"}, "metricName: must be one of"),
        ({"resourceName": "bad name"}, 'resourceName: "bad name" does not match the pattern'),
        ({"datapoints": [{"timestamp": 1_000_000_000, "value": 1.0}]}, "datapoints[0].timestamp: 2001-09-09"),
        ({"datapoints": [{"timestamp": time.time() + 86400, "value": 1.0}]}, "datapoints[0].timestamp:"),
    ],
)
def test_put_metric_data_refusals(metrics: Any, request_changes: dict[str, Any], message: str) -> None:
    cpu(metrics, 1.0)
    request = {
        "resourceName": "web-1",
        "resourceType": "Instance",
        "metricName": "CPUUtilization",
        "datapoints": [{"timestamp": time.time(), "value": 1.0}],
        **request_changes,
    }
    error = error_of(metrics.put_metric_data, **request)["Error"]
    assert error["Code"] == "InvalidInputException"
    assert error["Message"].startswith(message), error["Message"]


def test_put_metric_data_needs_a_signature(evaluating: ServerProcess) -> None:
    request = urllib.request.Request(
        evaluating.url,
        data=b"{}",
        headers={"X-Amz-Target": "LsNotify_20261127.PutMetricData", "Content-Type": "application/x-amz-json-1.1"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    with raised.value as response:
        assert response.code == 403
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_resources_commands(evaluating: ServerProcess, account: Account, lightsail: Any) -> None:
    scope = ("--account-id", account.account_id, "--region", "eu-west-1")
    added = cli_json(evaluating.cli("resources", "add", *scope, "--type", "LoadBalancer", "edge-lb"))
    assert added["arn"].startswith(f"arn:aws:lightsail:eu-west-1:{account.account_id}:LoadBalancer/")
    again = evaluating.cli("resources", "add", *scope, "--type", "Instance", "edge-lb")
    assert again.returncode == 1 and 'already has a resource named "edge-lb" (LoadBalancer)' in again.stderr
    bad = evaluating.cli("resources", "add", *scope, "--type", "Instance", "bad.name")
    assert bad.returncode == 1 and 'resourceName: "bad.name" is not a valid resource name' in bad.stderr
    listed = cli_json(evaluating.cli("resources", "list", *scope))["resources"]
    assert listed == [added]

    eu = evaluating.client(account, region="eu-west-1")
    # Registering is logged as Lightsail logs creating the resource; the refused attempt logged nothing.
    (operation,) = eu.get_operations_for_resource(resourceName="edge-lb")["operations"]
    assert (operation["operationType"], operation["resourceType"], operation["status"]) == (
        "CreateLoadBalancer",
        "LoadBalancer",
        "Succeeded",
    )
    assert operation["createdAt"].timestamp() == pytest.approx(added["createdAt"], abs=1)
    eu.put_alarm(alarmName="lb-5xx", monitoredResourceName="edge-lb", **{**CPU_OVER_80, "metricName": "RequestCount"})
    deleted = evaluating.cli("resources", "delete", *scope, "edge-lb")
    assert deleted.returncode == 0 and "deleted edge-lb and its 1 alarm(s)" in deleted.stdout
    assert eu.get_alarms()["alarms"] == []
    assert cli_json(evaluating.cli("resources", "list", *scope))["resources"] == []
    missing = evaluating.cli("resources", "delete", *scope, "edge-lb")
    assert missing.returncode == 1 and 'no monitored resource named "edge-lb"' in missing.stderr
    unknown = evaluating.cli(
        "resources", "add", "--account-id", "999999999999", "--region", "eu-west-1", "--type", "Instance", "x1"
    )
    assert unknown.returncode == 1 and "no account 999999999999" in unknown.stderr


def test_registered_resources_serve_every_type(evaluating: ServerProcess, account: Account, lightsail: Any) -> None:
    register(evaluating, account, "pg-1", "RelationalDatabase")
    lightsail.put_alarm(
        alarmName="db-conns", monitoredResourceName="pg-1", **{**CPU_OVER_80, "metricName": "DatabaseConnections"}
    )
    (alarm,) = lightsail.get_alarms(monitoredResourceName="pg-1")["alarms"]
    assert (alarm["statistic"], alarm["unit"]) == ("Maximum", "Count")
