"""mock_lightsail: botocore Lightsail clients served in-process by the real app, with no network."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import tempfile
import threading
import time
import unittest
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lsnotify.clock import OffsetClock
from lsnotify.config import Settings
from lsnotify.testing import DEFAULT_ACCOUNT_ID, MockLightsail, current_mock, mock_lightsail

AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_LIGHTSAIL",
)


@pytest.fixture(autouse=True)
def no_aws_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As on a machine that has never seen AWS: no credentials, no region, no config files."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"a network connection was attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def error_code(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_plain_boto3_client_is_served_with_no_network_and_no_credentials(no_network: None) -> None:
    with mock_lightsail():
        lightsail = boto3.client("lightsail")
        assert lightsail.meta.region_name == "us-east-1"
        (op,) = lightsail.create_contact_method(protocol="Email", contactEndpoint="me@example.com")["operations"]
        assert op["operationType"] == "CreateContactMethod" and op["status"] == "Succeeded"
        (cm,) = lightsail.get_contact_methods()["contactMethods"]
        assert cm["status"] == "PendingVerification" and cm["contactEndpoint"] == "me@example.com"
        assert cm["arn"].startswith(f"arn:aws:lightsail:us-east-1:{DEFAULT_ACCOUNT_ID}:ContactMethod/")
        # An endpoint_url (here: nothing listens there) changes nothing: the mock answers.
        elsewhere = boto3.client("lightsail", endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
        assert elsewhere.get_contact_methods()["contactMethods"] == [cm]


def test_modeled_errors_and_validation_come_from_the_real_service() -> None:
    with mock_lightsail():
        lightsail = boto3.client("lightsail")
        with pytest.raises(lightsail.exceptions.NotFoundException) as missing:
            lightsail.delete_contact_method(protocol="SMS")
        assert "there is no SMS contact method in us-east-1" in str(missing.value)
        code, message = error_code(lightsail.create_contact_method, protocol="Email", contactEndpoint="nope")
        assert code == "InvalidInputException" and message.startswith('contactEndpoint: "nope" is not a valid email')
        code, message = error_code(lightsail.get_instances)
        assert code == "UnsupportedOperationException" and message.startswith("GetInstances is a Lightsail operation")
        assert lightsail.get_contact_methods()["contactMethods"] == []


def test_any_credentials_are_accepted_but_the_signature_is_really_checked() -> None:
    with mock_lightsail() as mock:
        testing = boto3.client(
            "lightsail", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        testing.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
        # Same account (the mock's), same region: the env-credential client sees the record.
        env_client = boto3.client("lightsail", region_name="eu-west-1")
        assert [cm["protocol"] for cm in env_client.get_contact_methods()["contactMethods"]] == ["SMS"]
        assert os.environ["AWS_ACCESS_KEY_ID"] == mock.credentials.access_key_id
        # A known key id signed with another secret is refused, as the real service would.
        forged = boto3.client(
            "lightsail", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="other"
        )
        assert error_code(forged.get_contact_methods)[0] == "InvalidSignatureException"


def test_each_mock_has_a_fresh_store_and_cleans_up_after_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    threads_before = set(threading.enumerate())
    with mock_lightsail():
        boto3.client("lightsail").create_contact_method(protocol="Email", contactEndpoint="a@example.com")
        (data_dir,) = tmp_path.glob("lsnotify-mock-*")
        assert (data_dir / "lsnotify.db").exists()
    assert list(tmp_path.iterdir()) == []
    with mock_lightsail():
        assert boto3.client("lightsail").get_contact_methods()["contactMethods"] == []
    assert set(threading.enumerate()) == threads_before


def test_environment_is_set_while_active_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-real-session-token")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    mock = mock_lightsail().start()
    try:
        assert os.environ["AWS_ACCESS_KEY_ID"] == mock.credentials.access_key_id
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == mock.credentials.secret_access_key
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert os.environ["AWS_DEFAULT_REGION"] == "ap-southeast-2"  # a region the user chose is kept
        assert boto3.client("lightsail").meta.region_name == "ap-southeast-2"
    finally:
        mock.stop()
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_SECRET_ACCESS_KEY" not in os.environ
    assert os.environ["AWS_SESSION_TOKEN"] == "a-real-session-token"
    mock.stop()  # a second stop is harmless


def test_environment_is_restored_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError, match="boom"), mock_lightsail():
        raise RuntimeError("boom")
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_a_default_session_made_before_the_mock_is_set_aside_and_put_back() -> None:
    boto3.setup_default_session(region_name="us-west-2", aws_access_key_id="real", aws_secret_access_key="real")
    before = boto3.DEFAULT_SESSION
    with mock_lightsail() as mock:
        assert boto3.client("lightsail").get_contact_methods()["contactMethods"] == []
        assert boto3.DEFAULT_SESSION is not before
        assert boto3.DEFAULT_SESSION.get_credentials().access_key == mock.credentials.access_key_id
    assert boto3.DEFAULT_SESSION is before


def test_nested_mocks_are_independent_and_the_outer_one_resumes() -> None:
    with mock_lightsail() as outer:
        boto3.client("lightsail").create_contact_method(protocol="Email", contactEndpoint="outer@example.com")
        with mock_lightsail() as inner:
            assert current_mock() is inner
            assert boto3.client("lightsail").get_contact_methods()["contactMethods"] == []
        assert current_mock() is outer
        assert os.environ["AWS_ACCESS_KEY_ID"] == outer.credentials.access_key_id
        (cm,) = boto3.client("lightsail").get_contact_methods()["contactMethods"]
        assert cm["contactEndpoint"] == "outer@example.com"
    with pytest.raises(RuntimeError, match="no mock_lightsail is active"):
        current_mock()


def test_messages_are_the_verification_emails_in_the_inbox_shape() -> None:
    with mock_lightsail() as mock:
        lightsail = boto3.client("lightsail")
        assert mock.messages() == []
        lightsail.create_contact_method(protocol="Email", contactEndpoint="ops@example.com")
        (first,) = mock.messages()
        lightsail.send_contact_method_verification(protocol="Email")
        assert mock.messages()[0] == first
        _, second = mock.messages()
        # A resend before the first email went out makes that one obsolete: only the live link is delivered.
        lightsail.send_contact_method_verification(protocol="Email")
        lightsail.send_contact_method_verification(protocol="Email")
        assert len(mock.messages()) == 3
    assert set(first) == {
        "id", "protocol", "destination", "subject", "body", "html", "accountId", "region", "createdAt"
    }  # fmt: skip
    assert (first["protocol"], first["destination"], first["accountId"], first["region"]) == (
        "Email",
        "ops@example.com",
        DEFAULT_ACCOUNT_ID,
        "us-east-1",
    )
    assert "/verify/" in first["body"] and first["subject"]
    assert first["body"] != second["body"]  # a resend carries a fresh link
    assert first["createdAt"] <= second["createdAt"]


def test_settings_and_an_injected_clock_reach_the_service() -> None:
    clock = OffsetClock(0)
    # The clock also sets the SigV4 window, so allow a skew larger than the jump below.
    settings = Settings(sms_regions=frozenset({"eu-west-1"}), verification_ttl=3600, signature_max_skew=7200)
    with mock_lightsail(settings=settings, clock=clock):
        lightsail = boto3.client("lightsail")
        code, message = error_code(lightsail.create_contact_method, protocol="SMS", contactEndpoint="+14255550100")
        assert code == "InvalidInputException" and "supported in eu-west-1" in message
        lightsail.create_contact_method(protocol="Email", contactEndpoint="late@example.com")
        clock.advance(3601)  # past the verification deadline
        (cm,) = lightsail.get_contact_methods()["contactMethods"]
        assert cm["status"] == "Invalid" and "contactEndpoint" not in cm


def test_decorated_function_runs_in_a_fresh_mock_each_call() -> None:
    seen: list[str] = []

    @mock_lightsail
    def create_and_count() -> int:
        seen.append(current_mock().credentials.access_key_id)
        lightsail = boto3.client("lightsail")
        lightsail.create_contact_method(protocol="Email", contactEndpoint="dec@example.com")
        return len(lightsail.get_contact_methods()["contactMethods"])

    assert create_and_count() == 1
    assert create_and_count() == 1  # not 2, and not a duplicate-protocol refusal: a fresh store each call
    assert len(set(seen)) == 2
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_decorated_coroutine_function() -> None:
    @mock_lightsail()
    async def count() -> int:
        return len(boto3.client("lightsail").get_contact_methods()["contactMethods"])

    assert asyncio.run(count()) == 0


def test_decorated_unittest_case_gets_a_fresh_mock_per_test_from_set_up_on() -> None:
    results: list[int] = []

    @mock_lightsail
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.lightsail = boto3.client("lightsail")
            self.lightsail.create_contact_method(protocol="Email", contactEndpoint="setup@example.com")

        def test_one(self) -> None:
            results.append(len(self.lightsail.get_contact_methods()["contactMethods"]))

        def test_two(self) -> None:
            self.lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
            results.append(len(self.lightsail.get_contact_methods()["contactMethods"]))

    outcome = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    )
    assert outcome.wasSuccessful(), outcome.errors + outcome.failures
    assert sorted(results) == [1, 2]
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_aiobotocore_clients_are_served_too() -> None:
    from aiobotocore.session import get_session

    async def scenario() -> tuple[str, str]:
        async with get_session().create_client("lightsail", region_name="us-west-2") as lightsail:
            await lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
            (cm,) = (await lightsail.get_contact_methods())["contactMethods"]
            try:
                await lightsail.delete_contact_method(protocol="Email")
            except lightsail.exceptions.NotFoundException as missing:
                return cm["status"], missing.response["Error"]["Code"]
            raise AssertionError("deleting a missing Email contact method succeeded")

    with mock_lightsail():
        assert asyncio.run(scenario()) == ("Valid", "NotFoundException")


def test_clients_go_to_the_network_again_once_no_mock_is_active() -> None:
    lightsail = boto3.client(
        "lightsail",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    with MockLightsail():
        pass
    with pytest.raises(Exception, match="Could not connect"):
        lightsail.get_contact_methods()


def test_alarms_are_driven_in_process_by_the_test() -> None:
    with mock_lightsail() as mock:
        lightsail = boto3.client("lightsail")
        lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
        mock.put_metric_data("Instance", "web-1", "CPUUtilization", 10.0, timestamp=time.time() - 600)
        lightsail.put_alarm(
            alarmName="cpu-high",
            metricName="CPUUtilization",
            monitoredResourceName="web-1",
            comparisonOperator="GreaterThanThreshold",
            threshold=80,
            evaluationPeriods=1,
            contactProtocols=["SMS"],
        )
        assert lightsail.get_alarms(alarmName="cpu-high")["alarms"][0]["state"] == "INSUFFICIENT_DATA"
        assert mock.evaluate_alarms() == 1
        assert lightsail.get_alarms(alarmName="cpu-high")["alarms"][0]["state"] == "OK"
        assert mock.messages() == []  # OK is not a trigger

        mock.put_metric_data("Instance", "web-1", "CPUUtilization", 95.0)
        assert mock.evaluate_alarms() == 1
        assert mock.evaluate_alarms() == 0  # nothing changes twice
        assert lightsail.get_alarms(alarmName="cpu-high")["alarms"][0]["state"] == "ALARM"
        (sms,) = mock.messages()
    assert sms["protocol"] == "SMS" and sms["destination"] == "+14255550100"
    assert "ALARM" in sms["body"] and "cpu-high" in sms["body"]
