"""The outbound limits over HTTP against a real server: the verification resend window, the hourly SMS cap (messages
suppressed, listed and counted), TestAlarm's pace, the SMS country allowlist, the resource and alarm caps, and the
per-key API rate. The server keeps every limit on, with small values where a test must reach them."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from signing import post, sign
from test_dev_inbox import messages, metric

from alarm_helpers import lsnotify_client, model_data_path, register
from delivery_harness import FAST_DELIVERY, outbox, outbox_cli
from harness import Account, ServerProcess, error_of, running_server, wait_until
from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE
from lsnotify.domain.outbox import OUTBOX_SUPPRESSED
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store

LIMITS = {
    "LSNOTIFY_VERIFICATION_INTERVAL": "1",
    "LSNOTIFY_VERIFICATIONS_PER_DAY": "3",
    "LSNOTIFY_SMS_PER_HOUR": "2",
    "LSNOTIFY_TEST_ALARM_INTERVAL": "60",
    "LSNOTIFY_MAX_RESOURCES": "3",
    "LSNOTIFY_MAX_ALARMS": "3",
    "LSNOTIFY_API_RATE": "1",
    "LSNOTIFY_API_BURST": "30",
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("limited"), env={**FAST_DELIVERY, **LIMITS})


def refused(response: dict[str, Any], code: str) -> str:
    """The message of an error response that must be ``code`` with HTTP 400."""
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = response["Error"]["Message"]
    return message


def put_alarm(lightsail: Any, name: str, resource: str, metric: str = "CPUUtilization", **extra: Any) -> None:
    """PutAlarm of a plain alarm (over 80 for one period); ``extra`` adds or replaces members."""
    params = {"threshold": 80.0, "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1, **extra}
    lightsail.put_alarm(alarmName=name, monitoredResourceName=resource, metricName=metric, **params)


def verifications_in(server: ServerProcess, account: Account, region: str) -> list[str]:
    """The addresses of the verification emails queued in one account and region."""
    scope = (account.account_id, region)
    return [m.destination for m in outbox(server) if (m.account_id, m.region) == scope and m.kind == "verification"]


# -- verification emails -----------------------------------------------------------------------------------------


def test_verification_emails_are_limited_per_contact_method_with_the_time_of_the_next(limited: ServerProcess) -> None:
    account = limited.new_account()
    lightsail = limited.client(account)
    address = f"limited-{account.account_id}@example.com"
    lightsail.create_contact_method(protocol="Email", contactEndpoint=address)  # the 1st email

    response = error_of(lightsail.send_contact_method_verification, protocol="Email")
    message = refused(response, "OperationFailureException")
    assert message.startswith(
        "protocol: verification emails of the Email contact method in us-east-1 are limited to one every 1 second "
        "and 3 a day; one was queued "
    )
    assert "The next one is allowed at " in message and message.endswith("(in 1 second).")

    time.sleep(1.1)
    lightsail.send_contact_method_verification(protocol="Email")  # the 2nd
    time.sleep(1.1)
    # Deleting and creating it again queues an email too, and counts, whatever the address (these reach one person).
    lightsail.delete_contact_method(protocol="Email")
    lightsail.create_contact_method(protocol="Email", contactEndpoint=address.upper())  # the 3rd: the day's last
    time.sleep(1.1)
    response = error_of(lightsail.send_contact_method_verification, protocol="Email")
    assert "3 were queued in the last 24 hours" in refused(response, "OperationFailureException")
    lightsail.delete_contact_method(protocol="Email")
    plus_tag = address.replace("@", "+again@")
    response = error_of(lightsail.create_contact_method, protocol="Email", contactEndpoint=plus_tag)
    message = refused(response, "OperationFailureException")
    assert "3 were queued in the last 24 hours" in message and message.endswith("(in 24 hours).")
    assert lightsail.get_contact_methods()["contactMethods"] == []  # the refused create created nothing
    assert verifications_in(limited, account, "us-east-1") == [address, address, address.upper()]

    # Another region is another contact method: its first email goes at once.
    limited.client(account, region="eu-west-1").create_contact_method(protocol="Email", contactEndpoint=address)
    assert verifications_in(limited, account, "eu-west-1") == [address]


# -- the hourly cap ----------------------------------------------------------------------------------------------


def test_sms_over_the_hourly_cap_are_suppressed_listed_and_counted(limited: ServerProcess) -> None:
    account = limited.new_account()
    lightsail = limited.client(account)
    register(limited, account, "web-1", INSTANCE)
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")  # Valid at once
    labels = {"provider": "capture", "outcome": "suppressed"}
    suppressed_before = metric(fetch_metrics(limited), "lsnotify_deliveries_total", **labels)
    for number, name in enumerate(("CPUUtilization", "NetworkIn", "NetworkOut"), start=1):
        put_alarm(lightsail, name, "web-1", name, contactProtocols=["SMS"])
        lightsail.test_alarm(alarmName=name, state="ALARM")
        wait_until(lambda n=number: len(settled(limited, account)) == n, what=f"{number} message(s) settled")

    inbox = messages(limited, accountId=account.account_id)
    assert [m["body"].split('"')[1] for m in inbox] == ["CPUUtilization", "NetworkIn"]  # the cap is 2 an hour
    (listed,) = [m for m in outbox_cli(limited, OUTBOX_SUPPRESSED) if m["accountId"] == account.account_id]
    assert listed["status"] == "suppressed" and listed["destination"] == "+14255550100"
    assert listed["lastError"] == (
        f"suppressed: account {account.account_id} was sent 2 SMS message(s) in the last hour, "
        "its cap (--sms-per-hour 2)"
    )
    assert listed["sentAt"] is None
    text = fetch_metrics(limited)
    assert metric(text, "lsnotify_deliveries_total", **labels) == suppressed_before + 1
    assert metric(text, "lsnotify_outbox_messages", state="suppressed") >= 1


def settled(server: ServerProcess, account: Account) -> list[Any]:
    return [m for m in outbox(server) if m.account_id == account.account_id and m.status != "pending"]


def fetch_metrics(server: ServerProcess) -> str:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text: str = response.read().decode()
        return text


# -- TestAlarm ---------------------------------------------------------------------------------------------------


def test_an_alarm_is_tested_at_most_once_a_minute(limited: ServerProcess) -> None:
    account = limited.new_account()
    lightsail = limited.client(account)
    register(limited, account, "db-1", INSTANCE)
    put_alarm(lightsail, "cpu", "db-1")
    lightsail.test_alarm(alarmName="cpu", state="ALARM")
    message = refused(error_of(lightsail.test_alarm, alarmName="cpu", state="OK"), "OperationFailureException")
    assert message.startswith('alarmName: "cpu" may be tested once every 60 seconds; it was tested ')
    assert "The next one is allowed at " in message
    operations = lightsail.get_operations_for_resource(resourceName="cpu")["operations"]
    assert [op["operationType"] for op in operations].count("TestAlarm") == 1  # the refused call recorded nothing


# -- SMS countries, caps -----------------------------------------------------------------------------------------


def test_sms_goes_only_to_the_default_countries(limited: ServerProcess) -> None:
    lightsail = limited.client(limited.new_account())
    response = error_of(lightsail.create_contact_method, protocol="SMS", contactEndpoint="+2348031234567")
    message = refused(response, "InvalidInputException")
    assert message.startswith(
        "contactEndpoint: SMS to NG numbers is not allowed on this server (allowed countries: AU,"
    )
    assert lightsail.get_contact_methods()["contactMethods"] == []
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+61491570156")


def test_resources_and_alarms_per_account_are_capped(limited: ServerProcess, tmp_path: Path) -> None:
    account = limited.new_account()
    metrics = lsnotify_client(limited, account, model_data_path(tmp_path))
    europe = lsnotify_client(limited, account, model_data_path(tmp_path), region="eu-west-1")

    def put(client: Any, name: str) -> None:
        point = {"timestamp": time.time(), "value": 50.0}
        client.put_metric_data(
            resourceName=name, resourceType="Instance", metricName="CPUUtilization", datapoints=[point]
        )

    put(metrics, "web-1")
    put(metrics, "web-2")
    put(europe, "web-1")  # every region counts
    response = error_of(put, client=metrics, name="web-3")
    assert refused(response, "InvalidInputException").startswith(
        f"resourceName: account {account.account_id} already has 3 monitored resources"
    )
    put(metrics, "web-1")  # more data for a resource it has is fine

    lightsail = limited.client(account)
    put_alarm(lightsail, "alarm-a", "web-1")
    put_alarm(lightsail, "alarm-b", "web-1")
    put_alarm(lightsail, "alarm-c", "web-2")
    response = error_of(put_alarm, lightsail=lightsail, name="alarm-d", resource="web-2")
    message = refused(response, "InvalidInputException")
    assert message.startswith(f"alarmName: account {account.account_id} already has 3 alarms")
    put_alarm(lightsail, "alarm-c", "web-2", evaluationPeriods=2)  # an update adds no alarm


def test_an_agent_registers_no_resource_beyond_the_cap(limited: ServerProcess) -> None:
    account = limited.new_account()
    cloudwatch = limited.client(account, service="cloudwatch")
    at = time.time() - 60
    cloudwatch.put_metric_data(
        Namespace="Custom/App",
        MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceName", "Value": f"cw-{n}"}],
             "Timestamp": at, "Value": 10.0}
            for n in range(5)
        ],
    )  # fmt: skip

    async def names(store: Store, box: SecretBox) -> list[str]:
        return sorted(r.name for r in await store.list_resources(Scope(account.account_id, "us-east-1")))

    assert limited.run_store(names) == ["cw-0", "cw-1", "cw-2"]  # accepted, as CloudWatch does; two feed nothing
    with urllib.request.urlopen(limited.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    assert 'lsnotify_ingest_datums_unmapped_total{reason="resource_cap_reached",source="cloudwatch"} 2.0' in text


# -- the API rate ------------------------------------------------------------------------------------------------


def refusals(call: Callable[[], Any], times: int) -> list[dict[str, Any]]:
    """The error responses of ``times`` calls made as fast as they go."""
    responses = []
    for _ in range(times):
        try:
            call()
        except ClientError as error:
            responses.append(error.response)
    return responses


def test_a_key_over_its_rate_is_throttled_as_aws_does(limited: ServerProcess) -> None:
    busy, calm = limited.new_account(), limited.new_account()
    lightsail = limited.client(busy)
    throttled = refusals(lightsail.get_contact_methods, 40)  # a burst of 30, then 1 a second
    assert throttled  # (how many depends on how fast 40 calls go: each second refills one)
    assert refused(throttled[0], "ThrottlingException").startswith(f"Rate exceeded: access key {busy.access_key_id}")
    limited.client(calm).get_contact_methods()  # another key has a bucket of its own
    # The SDK retries a throttled call: with its standard retries, a call after a short wait succeeds.
    patient = boto3.client(
        "lightsail",
        endpoint_url=limited.url,
        region_name="us-east-1",
        aws_access_key_id=busy.access_key_id,
        aws_secret_access_key=busy.secret_access_key,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )
    assert patient.get_contact_methods()["contactMethods"] == []


def test_metric_ingestion_takes_from_the_same_bucket_as_the_api(limited: ServerProcess) -> None:
    account = limited.new_account()
    cloudwatch = limited.client(account, service="cloudwatch")  # no retries
    datum = {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceName", "Value": "agent-1"}], "Value": 1.0}
    throttled = refusals(lambda: cloudwatch.put_metric_data(Namespace="Custom/App", MetricData=[datum]), 40)
    assert throttled
    # CloudWatch's own code for it, which the SDKs retry as they do ThrottlingException
    assert refused(throttled[0], "Throttling").startswith(f"Rate exceeded: access key {account.access_key_id}")
    # The key's bucket is empty for the Lightsail API too, and an OTLP export is told 429, which exporters retry.
    lightsail = limited.client(account)
    assert any(r["Error"]["Code"] == "ThrottlingException" for r in refusals(lightsail.get_contact_methods, 10))
    url = limited.url + "/v1/metrics"
    headers = {"Content-Type": "application/json"}
    statuses = [post(url, sign(url, headers, b"{}", account, service="monitoring"), b"{}").status for _ in range(10)]
    assert 429 in statuses
