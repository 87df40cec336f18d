"""A user's tests of their own code (notifications.py), in-process with lsnotify.testing: no server, no AWS."""

from __future__ import annotations

from typing import Any

import boto3
import notifications

from lsnotify.testing import current_mock, mock_lightsail


@mock_lightsail
def test_new_address_is_pending_until_verified() -> None:
    assert notifications.ensure_email_alerts("ops@example.com") == "PendingVerification"
    (email,) = current_mock().messages()
    assert email["destination"] == "ops@example.com"
    assert "/verify/" in email["body"]


@mock_lightsail
def test_changing_the_address_replaces_the_contact_method() -> None:
    notifications.ensure_email_alerts("old@example.com")
    notifications.ensure_email_alerts("new@example.com")
    lightsail = boto3.client("lightsail")
    (method,) = lightsail.get_contact_methods()["contactMethods"]
    assert method["contactEndpoint"] == "new@example.com"
    kinds = [op["operationType"] for op in lightsail.get_operations()["operations"]]
    assert kinds == ["CreateContactMethod", "DeleteContactMethod", "CreateContactMethod"]


def test_with_the_fixtures(lightsail_client: Any, lightsail_messages: Any) -> None:
    assert notifications.page_on_call("+14255550100")
    assert not notifications.page_on_call("555-0100")
    (sms,) = lightsail_client.get_contact_methods()["contactMethods"]
    assert (sms["protocol"], sms["status"]) == ("SMS", "Valid")
    assert lightsail_messages() == []  # an SMS contact method needs no verification


def test_as_a_context_manager() -> None:
    with mock_lightsail() as mock:
        notifications.ensure_email_alerts("ctx@example.com")
        assert [message["destination"] for message in mock.messages()] == ["ctx@example.com"]


@mock_lightsail
class TestEveryTestGetsAFreshLightsail:
    def setup_method(self) -> None:
        notifications.ensure_email_alerts("setup@example.com")

    def test_one(self) -> None:
        assert len(boto3.client("lightsail").get_contact_methods()["contactMethods"]) == 1

    def test_two(self) -> None:
        assert notifications.page_on_call("+14255550101")
        assert len(boto3.client("lightsail").get_contact_methods()["contactMethods"]) == 2
