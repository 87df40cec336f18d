"""Async Python: aiobotocore's Lightsail client against a real server, for every served operation and the errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from harness import Account, ServerProcess


@pytest.fixture
async def lightsail(server: ServerProcess, account: Account) -> AsyncIterator[Any]:
    async with get_session().create_client(
        "lightsail",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account.access_key_id,
        aws_secret_access_key=account.secret_access_key,
        config=AioConfig(retries={"max_attempts": 1, "mode": "standard"}),
    ) as client:
        yield client


async def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        await call(**kwargs)
    error: dict[str, Any] = raised.value.response["Error"]
    return error


async def test_contact_methods(lightsail: Any, account: Account) -> None:
    created = await lightsail.create_contact_method(protocol="Email", contactEndpoint="async@example.com")
    assert created["operations"][0]["operationType"] == "CreateContactMethod"
    await lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    email, sms = (await lightsail.get_contact_methods())["contactMethods"]
    assert (email["protocol"], email["status"], email["contactEndpoint"]) == (
        "Email",
        "PendingVerification",
        "async@example.com",
    )
    assert (sms["protocol"], sms["status"]) == ("SMS", "Valid")
    assert email["arn"].split(":")[4] == account.account_id
    assert email["createdAt"].timestamp() == pytest.approx(created["operations"][0]["createdAt"].timestamp())
    only_sms = (await lightsail.get_contact_methods(protocols=["SMS"]))["contactMethods"]
    assert [cm["protocol"] for cm in only_sms] == ["SMS"]

    sent = await lightsail.send_contact_method_verification(protocol="Email")
    assert sent["operations"][0]["operationType"] == "SendContactMethodVerification"
    deleted = await lightsail.delete_contact_method(protocol="SMS")
    assert deleted["operations"][0]["resourceName"] == "SMS-us-east-1"
    assert [cm["protocol"] for cm in (await lightsail.get_contact_methods())["contactMethods"]] == ["Email"]


async def test_concurrent_calls_on_one_client(lightsail: Any) -> None:
    await lightsail.create_contact_method(protocol="Email", contactEndpoint="many@example.com")
    await asyncio.gather(
        *(lightsail.tag_resource(resourceName="Email-us-east-1", tags=[{"key": f"k{i}"}]) for i in range(20))
    )
    (cm,) = (await lightsail.get_contact_methods())["contactMethods"]
    assert sorted(tag["key"] for tag in cm["tags"]) == sorted(f"k{i}" for i in range(20))


async def test_tags_and_operations(lightsail: Any) -> None:
    await lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550101")
    await lightsail.tag_resource(resourceName="SMS-us-east-1", tags=[{"key": "team", "value": "ops"}])
    untagged = await lightsail.untag_resource(resourceName="SMS-us-east-1", tagKeys=["team"])
    op_id = untagged["operations"][0]["id"]

    assert (await lightsail.get_operation(operationId=op_id))["operation"]["operationType"] == "UntagResource"
    page = await lightsail.get_operations()
    assert [op["operationType"] for op in page["operations"]] == [
        "UntagResource",
        "TagResource",
        "CreateContactMethod",
    ]
    assert "nextPageToken" not in page
    by_resource = await lightsail.get_operations_for_resource(resourceName="SMS-us-east-1")
    assert [op["id"] for op in by_resource["operations"]] == [op["id"] for op in page["operations"]]


async def test_errors_are_modeled_exceptions(lightsail: Any) -> None:
    with pytest.raises(lightsail.exceptions.NotFoundException) as missing:
        await lightsail.delete_contact_method(protocol="Email")
    assert missing.value.response["Error"]["Message"].startswith("protocol: there is no Email contact method")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    with pytest.raises(lightsail.exceptions.InvalidInputException) as invalid:
        await lightsail.create_contact_method(protocol="SMS", contactEndpoint="12345")
    assert "is not an E.164 phone number" in invalid.value.response["Error"]["Message"]

    unserved = await error_of(lightsail.get_instances)
    assert unserved["Code"] == "UnsupportedOperationException"
    assert unserved["Message"].startswith("GetInstances is a Lightsail operation that lsnotify does not serve")


async def test_a_wrong_secret_is_refused(server: ServerProcess, account: Account) -> None:
    async with get_session().create_client(
        "lightsail",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account.access_key_id,
        aws_secret_access_key="not-the-secret",
        config=AioConfig(retries={"max_attempts": 1}),
    ) as forged:
        assert (await error_of(forged.get_contact_methods))["Code"] == "InvalidSignatureException"
