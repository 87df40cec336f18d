"""mock_lightsail and ThreadedServer keep the server's limits out of a user's test suite, unless asked for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lsnotify.config import Settings
from lsnotify.testing import ThreadedServer, mock_lightsail

ONE_TRY = Config(retries={"max_attempts": 1})


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def resend_twelve_times_and_text_nigeria(lightsail: Any) -> None:
    """What a user's suite may well do: more than the limits allow a real account."""
    lightsail.create_contact_method(protocol="Email", contactEndpoint="me@example.com")
    for _ in range(12):
        lightsail.send_contact_method_verification(protocol="Email")
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+2348031234567")


def test_a_mock_has_no_limits_by_default() -> None:
    with mock_lightsail():
        resend_twelve_times_and_text_nigeria(boto3.client("lightsail", config=ONE_TRY))


def test_a_mock_keeps_the_settings_limits_when_asked() -> None:
    with mock_lightsail(limits=True):
        lightsail = boto3.client("lightsail", config=ONE_TRY)
        lightsail.create_contact_method(protocol="Email", contactEndpoint="me@example.com")
        with pytest.raises(ClientError) as raised:
            lightsail.send_contact_method_verification(protocol="Email")
        assert raised.value.response["Error"]["Code"] == "OperationFailureException"


def test_a_threaded_server_has_no_limits_unless_asked(tmp_path: Path) -> None:
    with ThreadedServer() as server:
        resend_twelve_times_and_text_nigeria(server.client(config=ONE_TRY))
    settings = Settings(data_dir=tmp_path, access_log=False, sms_countries=frozenset({"US"}))
    with ThreadedServer(settings, limits=True) as server:
        assert server.settings.sms_countries == frozenset({"US"})
        with pytest.raises(ClientError) as raised:
            server.client(config=ONE_TRY).create_contact_method(protocol="SMS", contactEndpoint="+447911123456")
        assert "not allowed on this server (allowed countries: US)" in raised.value.response["Error"]["Message"]
