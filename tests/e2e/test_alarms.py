"""PutAlarm, GetAlarms, DeleteAlarm and TestAlarm through boto3 against a real server: every field, every refusal."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from alarm_helpers import notifications, register, verify_email
from harness import Account, ServerProcess, aws_cli, cli_json, error_of

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CPU = {
    "metricName": "CPUUtilization",
    "comparisonOperator": "GreaterThanOrEqualToThreshold",
    "evaluationPeriods": 4,
    "threshold": 10.0,
}


@pytest.fixture
def resources(server: ServerProcess, account: Account) -> dict[str, str]:
    """web-1 (Instance), lb-1 (LoadBalancer) and db-1 (RelationalDatabase), by name → ARN."""
    kinds = {"web-1": "Instance", "lb-1": "LoadBalancer", "db-1": "RelationalDatabase"}
    return {name: register(server, account, name, kind) for name, kind in kinds.items()}


def alarm_named(lightsail: Any, name: str) -> dict[str, Any]:
    (alarm,) = lightsail.get_alarms(alarmName=name)["alarms"]
    result: dict[str, Any] = alarm
    return result


def test_put_alarm_with_only_the_required_fields_fills_every_output_field(
    lightsail: Any, account: Account, resources: dict[str, str]
) -> None:
    """The CloudFormation contract test's alarm: required fields only, plus tags."""
    (op,) = lightsail.put_alarm(
        alarmName="cpu-high", monitoredResourceName="web-1", tags=[{"key": "team", "value": "ops"}], **CPU
    )["operations"]
    assert (op["operationType"], op["resourceType"], op["resourceName"]) == ("PutAlarm", "Alarm", "cpu-high")
    assert (op["status"], op["isTerminal"], op["operationDetails"]) == ("Succeeded", True, "web-1")
    alarm = alarm_named(lightsail, "cpu-high")
    created_at = alarm.pop("createdAt")
    arn = alarm.pop("arn")
    support_code = alarm.pop("supportCode")
    assert re.fullmatch(rf"arn:aws:lightsail:us-east-1:{account.account_id}:Alarm/{UUID}", arn)
    assert support_code == f"{account.account_id}/{arn.rsplit('/', 1)[1]}"
    assert created_at.timestamp() > 1_700_000_000
    assert alarm == {
        "name": "cpu-high",
        "location": {"availabilityZone": "all", "regionName": "us-east-1"},
        "resourceType": "Alarm",
        "monitoredResourceInfo": {"arn": resources["web-1"], "name": "web-1", "resourceType": "Instance"},
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "evaluationPeriods": 4,
        "period": 300,
        "threshold": 10.0,
        "datapointsToAlarm": 4,
        "treatMissingData": "missing",
        "statistic": "Average",
        "metricName": "CPUUtilization",
        "state": "INSUFFICIENT_DATA",
        "unit": "Percent",
        "contactProtocols": [],
        "notificationTriggers": ["ALARM"],
        "notificationEnabled": True,
        "tags": [{"key": "team", "value": "ops"}],
    }


def test_json_nulls_count_as_absent(lightsail: Any, resources: dict[str, str]) -> None:
    """Members sent as null (some SDKs do) take their defaults, never a server error."""
    optional = ["datapointsToAlarm", "treatMissingData", "contactProtocols", "notificationTriggers"]
    nulls = dict.fromkeys([*optional, "notificationEnabled", "tags"])

    def add_nulls(request: Any, **_: Any) -> None:
        request.data = json.dumps({**json.loads(request.data), **nulls}).encode()

    lightsail.meta.events.register("before-sign.lightsail.PutAlarm", add_nulls)
    lightsail.put_alarm(alarmName="nulls", monitoredResourceName="web-1", **CPU)
    alarm = alarm_named(lightsail, "nulls")
    assert (alarm["datapointsToAlarm"], alarm["treatMissingData"], alarm["notificationEnabled"]) == (4, "missing", True)
    assert (alarm["contactProtocols"], alarm["notificationTriggers"], alarm["tags"]) == ([], ["ALARM"], [])


def test_an_update_overwrites_the_whole_configuration_and_keeps_identity_and_tags(
    lightsail: Any, resources: dict[str, str]
) -> None:
    lightsail.put_alarm(
        alarmName="cpu-high",
        monitoredResourceName="web-1",
        datapointsToAlarm=2,
        treatMissingData="breaching",
        contactProtocols=["Email", "SMS", "Email"],
        notificationTriggers=["ALARM", "OK", "INSUFFICIENT_DATA"],
        notificationEnabled=False,
        tags=[{"key": "team"}],
        **CPU,
    )
    before = alarm_named(lightsail, "cpu-high")
    assert before["contactProtocols"] == ["Email", "SMS"] and before["datapointsToAlarm"] == 2
    # The CloudFormation contract test's update: fewer periods, a new threshold, datapointsToAlarm 2.
    (op,) = lightsail.put_alarm(
        alarmName="cpu-high",
        monitoredResourceName="web-1",
        metricName="CPUUtilization",
        comparisonOperator="GreaterThanOrEqualToThreshold",
        evaluationPeriods=3,
        threshold=15.0,
        datapointsToAlarm=2,
        tags=[{"key": "ignored-on-update"}],
    )["operations"]
    assert op["operationType"] == "PutAlarm"
    after = alarm_named(lightsail, "cpu-high")
    for kept in ("arn", "createdAt", "supportCode", "state", "tags"):
        assert after[kept] == before[kept], kept
    assert (after["evaluationPeriods"], after["threshold"], after["datapointsToAlarm"]) == (3, 15.0, 2)
    # Omitted optional fields are back to their defaults: the update "completely overwrites".
    assert after["treatMissingData"] == "missing" and after["notificationEnabled"] is True
    assert after["contactProtocols"] == [] and after["notificationTriggers"] == ["ALARM"]


def test_an_alarm_may_move_to_another_metric_or_resource(lightsail: Any, resources: dict[str, str]) -> None:
    lightsail.put_alarm(alarmName="moving", monitoredResourceName="web-1", **CPU)
    lightsail.put_alarm(alarmName="moving", monitoredResourceName="db-1", **{**CPU, "metricName": "FreeStorageSpace"})
    alarm = alarm_named(lightsail, "moving")
    assert alarm["monitoredResourceInfo"] == {
        "arn": resources["db-1"],
        "name": "db-1",
        "resourceType": "RelationalDatabase",
    }
    assert (alarm["metricName"], alarm["statistic"], alarm["unit"]) == ("FreeStorageSpace", "Sum", "Bytes")


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"evaluationPeriods": 0}, "InvalidInputException", "evaluationPeriods: must be 1 to 288"),
        ({"evaluationPeriods": 289}, "InvalidInputException", "evaluationPeriods: must be 1 to 288"),
        ({"datapointsToAlarm": 0}, "InvalidInputException", "datapointsToAlarm: must be 1 to evaluationPeriods (4)"),
        ({"datapointsToAlarm": 5}, "InvalidInputException", "datapointsToAlarm: must be 1 to evaluationPeriods (4)"),
        ({"notificationTriggers": ["OK"]}, "InvalidInputException", "notificationTriggers: must include ALARM"),
        (
            {"monitoredResourceName": "db-1", "metricName": "NetworkIn"},
            "InvalidInputException",
            'metricName: "NetworkIn" is not a metric of RelationalDatabase resources',
        ),
        (
            {"monitoredResourceName": "lb-1"},
            "InvalidInputException",
            'metricName: "CPUUtilization" is not a metric of LoadBalancer resources',
        ),
        (
            {"monitoredResourceName": "web-1", "metricName": "FreeableMemory"},
            "InvalidInputException",
            'metricName: "FreeableMemory" is not a metric of Instance resources',
        ),
        ({"metricName": "BucketSizeBytes"}, "InvalidInputException", "metricName: must be one of"),
        ({"alarmName": "bad name"}, "InvalidInputException", 'alarmName: "bad name" does not match the pattern'),
        ({"comparisonOperator": "Equal"}, "InvalidInputException", "comparisonOperator: must be one of"),
        ({"treatMissingData": "zero"}, "InvalidInputException", "treatMissingData: must be one of"),
        ({"tags": [{"key": "aws:x"}]}, "InvalidInputException", "tags[0].key: the aws: prefix is reserved"),
        ({"monitoredResourceName": "nothing"}, "NotFoundException", "monitoredResourceName: no monitored resource"),
    ],
)
def test_put_alarm_refusals_store_nothing(
    lightsail: Any, resources: dict[str, str], changes: dict[str, Any], code: str, message: str
) -> None:
    request = {"alarmName": "refused", "monitoredResourceName": "web-1", **CPU, **changes}
    response = error_of(lightsail.put_alarm, **request)
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"].startswith(message), response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lightsail.get_alarms()["alarms"] == []
    assert lightsail.get_operations()["operations"] == []


def test_two_alarms_per_metric(lightsail: Any, resources: dict[str, str]) -> None:
    lightsail.put_alarm(alarmName="cpu-warn", monitoredResourceName="web-1", **CPU)
    lightsail.put_alarm(alarmName="cpu-crit", monitoredResourceName="web-1", **CPU)
    response = error_of(lightsail.put_alarm, alarmName="cpu-third", monitoredResourceName="web-1", **CPU)
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith(
        'metricName: CPUUtilization of "web-1" already has 2 alarms (cpu-crit, cpu-warn)'
    )
    lightsail.put_alarm(alarmName="cpu-warn", monitoredResourceName="web-1", **{**CPU, "threshold": 50.0})  # update
    lightsail.put_alarm(alarmName="net", monitoredResourceName="web-1", **{**CPU, "metricName": "NetworkIn"})
    assert [a["name"] for a in lightsail.get_alarms()["alarms"]] == ["cpu-crit", "cpu-warn", "net"]


def test_get_alarms_filters_and_not_found(lightsail: Any, resources: dict[str, str]) -> None:
    lightsail.put_alarm(alarmName="on-web", monitoredResourceName="web-1", **CPU)
    lightsail.put_alarm(alarmName="on-db", monitoredResourceName="db-1", **CPU)
    assert [a["name"] for a in lightsail.get_alarms()["alarms"]] == ["on-db", "on-web"]
    assert [a["name"] for a in lightsail.get_alarms(monitoredResourceName="db-1")["alarms"]] == ["on-db"]
    assert lightsail.get_alarms(monitoredResourceName="lb-1")["alarms"] == []
    assert lightsail.get_alarms(alarmName="on-web", monitoredResourceName="web-1")["alarms"][0]["name"] == "on-web"
    assert lightsail.get_alarms(alarmName="on-web", monitoredResourceName="db-1")["alarms"] == []
    response = error_of(lightsail.get_alarms, alarmName="nope")
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["Error"]["Message"] == 'alarmName: no alarm named "nope" in us-east-1.'
    assert response["code"] == "DoesNotExist"


def test_get_alarms_pages_by_name(
    lightsail: Any, server: ServerProcess, account: Account, resources: dict[str, str]
) -> None:
    metrics = ["CPUUtilization", "NetworkIn", "NetworkOut", "StatusCheckFailed", "DiskReadOps", "DiskWriteOps"]
    names = []
    for host in range(9):
        register(server, account, f"host-{host}", "Instance")
        for metric in metrics * 2:
            names.append(f"alarm-{len(names):03d}")
            lightsail.put_alarm(
                alarmName=names[-1], monitoredResourceName=f"host-{host}", **{**CPU, "metricName": metric}
            )
    first = lightsail.get_alarms()
    assert [a["name"] for a in first["alarms"]] == names[:100]
    second = lightsail.get_alarms(pageToken=first["nextPageToken"])
    assert [a["name"] for a in second["alarms"]] == names[100:] and "nextPageToken" not in second
    assert len(lightsail.get_alarms(monitoredResourceName="host-3")["alarms"]) == 12
    response = error_of(lightsail.get_alarms, pageToken="not-a-token")
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith("pageToken:")


def test_delete_alarm(lightsail: Any, resources: dict[str, str]) -> None:
    lightsail.put_alarm(alarmName="doomed", monitoredResourceName="web-1", **CPU)
    (op,) = lightsail.delete_alarm(alarmName="doomed")["operations"]
    assert (op["operationType"], op["resourceType"], op["resourceName"]) == ("DeleteAlarm", "Alarm", "doomed")
    assert error_of(lightsail.get_alarms, alarmName="doomed")["Error"]["Code"] == "NotFoundException"
    response = error_of(lightsail.delete_alarm, alarmName="doomed")
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["Error"]["Message"] == 'alarmName: no alarm named "doomed" in us-east-1.'


def test_operations_for_an_alarm_and_tags_on_it(lightsail: Any, resources: dict[str, str]) -> None:
    lightsail.put_alarm(alarmName="tagged", monitoredResourceName="web-1", **CPU)
    arn = alarm_named(lightsail, "tagged")["arn"]
    (op,) = lightsail.tag_resource(resourceName="tagged", resourceArn=arn, tags=[{"key": "env", "value": "prod"}])[
        "operations"
    ]
    assert (op["operationType"], op["resourceType"]) == ("TagResource", "Alarm")
    lightsail.tag_resource(resourceName="tagged", tags=[{"key": "flag"}])
    assert alarm_named(lightsail, "tagged")["tags"] == [{"key": "env", "value": "prod"}, {"key": "flag"}]
    lightsail.untag_resource(resourceName="tagged", tagKeys=["env"])
    assert alarm_named(lightsail, "tagged")["tags"] == [{"key": "flag"}]
    mismatch = error_of(lightsail.tag_resource, resourceName="tagged", resourceArn=arn + "0", tags=[{"key": "x"}])
    assert mismatch["Error"]["Code"] == "InvalidInputException"
    lightsail.test_alarm(alarmName="tagged", state="ALARM")
    lightsail.delete_alarm(alarmName="tagged")
    ops = lightsail.get_operations_for_resource(resourceName="tagged")["operations"]
    assert [o["operationType"] for o in ops] == [
        "DeleteAlarm",
        "TestAlarm",
        "UntagResource",
        "TagResource",
        "TagResource",
        "PutAlarm",
    ]


def test_alarms_and_resources_belong_to_one_account_and_region(
    lightsail: Any, server: ServerProcess, account: Account, resources: dict[str, str]
) -> None:
    lightsail.put_alarm(alarmName="mine", monitoredResourceName="web-1", **CPU)
    stranger = server.client(server.new_account())
    assert stranger.get_alarms()["alarms"] == []
    assert error_of(stranger.get_alarms, alarmName="mine")["Error"]["Code"] == "NotFoundException"
    response = error_of(stranger.put_alarm, alarmName="theirs", monitoredResourceName="web-1", **CPU)
    assert response["Error"]["Code"] == "NotFoundException"
    elsewhere = server.client(account, region="eu-west-1")
    assert elsewhere.get_alarms()["alarms"] == []
    assert error_of(elsewhere.delete_alarm, alarmName="mine")["Error"]["Code"] == "NotFoundException"


# -- TestAlarm ----------------------------------------------------------------------------------------------------


def test_test_alarm_notifies_valid_methods_without_changing_the_state(
    lightsail: Any, server: ServerProcess, account: Account, resources: dict[str, str]
) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550123")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="alarms@example.com")
    lightsail.put_alarm(
        alarmName="tested",
        monitoredResourceName="web-1",
        contactProtocols=["Email", "SMS"],
        notificationTriggers=["ALARM", "OK"],
        **CPU,
    )
    (op,) = lightsail.test_alarm(alarmName="tested", state="ALARM")["operations"]
    assert (op["operationType"], op["resourceType"], op["resourceName"]) == ("TestAlarm", "Alarm", "tested")
    # The email is still unverified: only the SMS goes out.
    (sms,) = notifications(server, account)
    assert (sms.protocol, sms.destination) == ("SMS", "+14255550123")
    assert sms.payload == {
        "text": 'TEST ALARM: "tested" in us-east-1: web-1 CPUUtilization >= 10 (INSUFFICIENT_DATA->ALARM)'
    }
    assert sms.idempotency_key == f"alarm-test-{op['id']}-SMS"
    assert alarm_named(lightsail, "tested")["state"] == "INSUFFICIENT_DATA"

    verify_email(server, account)
    lightsail.test_alarm(alarmName="tested", state="OK")
    email, sms_ok = notifications(server, account)[1:]
    assert (email.protocol, email.destination) == ("Email", "alarms@example.com")
    assert email.payload["subject"] == 'OK: "tested" in US East (N. Virginia) (test)'
    assert "This is a test notification sent by TestAlarm" in email.payload["text"]
    assert "<html" in email.payload["html"] and "tested" in email.payload["html"]
    assert sms_ok.payload["text"].startswith('TEST OK: "tested"')
    assert alarm_named(lightsail, "tested")["state"] == "INSUFFICIENT_DATA"


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({}, "INSUFFICIENT_DATA"),  # not a trigger
        ({"notificationEnabled": False}, "ALARM"),
        ({"contactProtocols": []}, "ALARM"),
    ],
)
def test_test_alarm_that_notifies_nobody(
    lightsail: Any,
    server: ServerProcess,
    account: Account,
    resources: dict[str, str],
    changes: dict[str, Any],
    state: str,
) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550123")
    request = {"contactProtocols": ["SMS"], "notificationTriggers": ["ALARM", "OK"], **CPU, **changes}
    lightsail.put_alarm(alarmName="quiet", monitoredResourceName="web-1", **request)
    (op,) = lightsail.test_alarm(alarmName="quiet", state=state)["operations"]
    assert op["operationType"] == "TestAlarm"
    assert notifications(server, account) == []


def test_test_alarm_refusals(lightsail: Any, resources: dict[str, str]) -> None:
    missing = error_of(lightsail.test_alarm, alarmName="nope", state="ALARM")
    assert missing["Error"]["Code"] == "NotFoundException"
    lightsail.put_alarm(alarmName="real", monitoredResourceName="web-1", **CPU)
    bad_state = error_of(lightsail.test_alarm, alarmName="real", state="BROKEN")
    assert bad_state["Error"]["Code"] == "InvalidInputException"
    assert bad_state["Error"]["Message"].startswith("state: must be one of OK, ALARM, INSUFFICIENT_DATA")
    assert [o["operationType"] for o in lightsail.get_operations()["operations"]] == ["PutAlarm"]


def test_the_aws_cli_puts_and_gets_alarms(server: ServerProcess, account: Account, resources: dict[str, str]) -> None:
    put = "--alarm-name from-cli --monitored-resource-name lb-1 --metric-name HTTPCode_LB_5XX_Count "
    put += "--comparison-operator GreaterThanThreshold --threshold 5 --evaluation-periods 2 "
    put += "--treat-missing-data notBreaching"
    cli_json(aws_cli(server, account, "put-alarm", *put.split()))
    (alarm,) = cli_json(aws_cli(server, account, "get-alarms", "--monitored-resource-name", "lb-1"))["alarms"]
    assert (alarm["name"], alarm["statistic"], alarm["unit"], alarm["period"]) == ("from-cli", "Sum", "Count", 300)
    failed = aws_cli(server, account, "delete-alarm", "--alarm-name", "nope")
    assert failed.returncode != 0 and "NotFoundException" in failed.stderr
