"""Contact methods through boto3 against a real server: the happy paths, every refusal, and scoping."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness import Account, ServerProcess, error_of
from lsnotify.domain.outbox import OUTBOX_PENDING, OUTBOX_SENT

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def outbox_for(server: ServerProcess, account: Account) -> list[Any]:
    async def read(store: Any, box: Any) -> list[Any]:
        return [m for m in await store.list_outbox() if m.account_id == account.account_id]

    result: list[Any] = server.run_store(read)
    return result


def test_create_email_is_pending_with_a_verification_message(
    lightsail: Any, server: ServerProcess, account: Account
) -> None:
    result = lightsail.create_contact_method(protocol="Email", contactEndpoint="ops@example.com")
    (op,) = result["operations"]
    assert op["operationType"] == "CreateContactMethod"
    assert op["status"] == "Succeeded" and op["isTerminal"] is True
    assert op["resourceType"] == "ContactMethod" and op["resourceName"] == "Email-us-east-1"
    assert op["location"] == {"availabilityZone": "all", "regionName": "us-east-1"}
    assert re.fullmatch(UUID, op["id"])

    (cm,) = lightsail.get_contact_methods()["contactMethods"]
    assert cm["protocol"] == "Email" and cm["contactEndpoint"] == "ops@example.com"
    assert cm["status"] == "PendingVerification"
    assert cm["name"] == "Email-us-east-1"
    assert re.fullmatch(rf"arn:aws:lightsail:us-east-1:{account.account_id}:ContactMethod/{UUID}", cm["arn"])
    assert cm["location"] == {"availabilityZone": "all", "regionName": "us-east-1"}
    assert cm["resourceType"] == "ContactMethod"
    assert cm["supportCode"].startswith(account.account_id + "/")
    assert cm["tags"] == []
    assert cm["createdAt"].timestamp() == pytest.approx(op["createdAt"].timestamp())

    (message,) = outbox_for(server, account)
    assert message.protocol == "Email" and message.destination == "ops@example.com"
    # The server's delivery worker may already have sent it: what matters is that the create enqueued it.
    assert message.kind == "verification" and message.status in (OUTBOX_PENDING, OUTBOX_SENT)
    assert message.payload["contactMethodArn"] == cm["arn"]
    assert "sealedToken" in message.payload


def test_create_sms_is_valid_at_once_and_sends_nothing(lightsail: Any, server: ServerProcess, account: Account) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    (cm,) = lightsail.get_contact_methods()["contactMethods"]
    assert (cm["protocol"], cm["status"], cm["name"]) == ("SMS", "Valid", "SMS-us-east-1")
    assert outbox_for(server, account) == []


def test_create_with_tags(lightsail: Any) -> None:
    tags = [{"key": "team", "value": "ops"}, {"key": "critical"}]
    lightsail.create_contact_method(protocol="Email", contactEndpoint="t@example.com", tags=tags)
    assert lightsail.get_contact_methods()["contactMethods"][0]["tags"] == tags


def test_get_filters_by_protocol(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="a@example.com")
    assert [c["protocol"] for c in lightsail.get_contact_methods()["contactMethods"]] == ["Email", "SMS"]
    assert [c["protocol"] for c in lightsail.get_contact_methods(protocols=["SMS"])["contactMethods"]] == ["SMS"]
    assert [c["protocol"] for c in lightsail.get_contact_methods(protocols=["Email"])["contactMethods"]] == ["Email"]


def test_no_contact_methods_is_an_empty_list(lightsail: Any) -> None:
    assert lightsail.get_contact_methods()["contactMethods"] == []
    assert lightsail.get_contact_methods(protocols=["SMS"])["contactMethods"] == []


def test_second_contact_method_of_a_protocol_is_refused_and_changes_nothing(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="first@example.com")
    before = lightsail.get_contact_methods()["contactMethods"]
    ops_before = lightsail.get_operations()["operations"]
    response = error_of(lightsail.create_contact_method, protocol="Email", contactEndpoint="second@example.com")
    assert response["Error"]["Code"] == "InvalidInputException"
    message = response["Error"]["Message"]
    assert "first@example.com" in message and "Email-us-east-1" in message and "DeleteContactMethod" in message
    assert response["code"] == "InvalidInput" and response["docs"].startswith("https://")
    assert lightsail.get_contact_methods()["contactMethods"] == before
    assert lightsail.get_operations()["operations"] == ops_before


@pytest.mark.parametrize(
    ("endpoint", "fragment"),
    [
        ("not-an-email", "is not a valid email address"),
        ("a@", "is not a valid email address"),
        ("a b@example.com", "is not a valid email address"),
        ("ops@example.com\r\nBcc: x@example.com", "control character or line break"),
        ("ops@exa\x00mple.com", "must not contain the control character U+0000"),  # refused as no string may hold it
    ],
)
def test_invalid_email_addresses_are_refused(lightsail: Any, endpoint: str, fragment: str) -> None:
    response = error_of(lightsail.create_contact_method, protocol="Email", contactEndpoint=endpoint)
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith("contactEndpoint: ")
    assert fragment in response["Error"]["Message"]
    assert lightsail.get_contact_methods()["contactMethods"] == []


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("4255550100", "is not an E.164 phone number"),
        ("+1 425 555 0100", "is not an E.164 phone number"),
        ("+1425555010012345", "is not an E.164 phone number"),
        ("+0425550100", "is not an E.164 phone number"),
        ("+1000", "is not a valid phone number"),
        ("+999123456789", "is not a valid phone number"),
    ],
)
def test_invalid_phone_numbers_are_refused(lightsail: Any, number: str, fragment: str) -> None:
    response = error_of(lightsail.create_contact_method, protocol="SMS", contactEndpoint=number)
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith("contactEndpoint: ")
    assert fragment in response["Error"]["Message"]


def test_sms_only_in_sms_regions(server: ServerProcess, account: Account) -> None:
    london = server.client(account, region="eu-west-2")
    response = error_of(london.create_contact_method, protocol="SMS", contactEndpoint="+447911123456")
    assert response["Error"]["Code"] == "InvalidInputException"
    assert "not supported in eu-west-2" in response["Error"]["Message"]
    london.create_contact_method(protocol="Email", contactEndpoint="uk@example.com")
    ireland = server.client(account, region="eu-west-1")
    ireland.create_contact_method(protocol="SMS", contactEndpoint="+447911123456")


def test_delete_and_delete_again(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    (op,) = lightsail.delete_contact_method(protocol="SMS")["operations"]
    assert (op["operationType"], op["resourceName"]) == ("DeleteContactMethod", "SMS-us-east-1")
    assert lightsail.get_contact_methods()["contactMethods"] == []
    response = error_of(lightsail.delete_contact_method, protocol="SMS")
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["code"] == "DoesNotExist"
    assert "no SMS contact method in us-east-1" in response["Error"]["Message"]


def test_changing_an_address_is_delete_then_create(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="old@example.com")
    old_arn = lightsail.get_contact_methods()["contactMethods"][0]["arn"]
    lightsail.delete_contact_method(protocol="Email")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="new@example.com")
    (cm,) = lightsail.get_contact_methods()["contactMethods"]
    assert cm["contactEndpoint"] == "new@example.com" and cm["arn"] != old_arn


def test_send_verification(lightsail: Any, server: ServerProcess, account: Account) -> None:
    response = error_of(lightsail.send_contact_method_verification, protocol="Email")
    assert response["Error"]["Code"] == "NotFoundException"

    lightsail.create_contact_method(protocol="Email", contactEndpoint="v@example.com")
    (op,) = lightsail.send_contact_method_verification(protocol="Email")["operations"]
    assert op["operationType"] == "SendContactMethodVerification" and op["resourceName"] == "Email-us-east-1"
    messages = outbox_for(server, account)
    assert [m.kind for m in messages] == ["verification", "verification"]
    assert messages[0].payload["sealedToken"] != messages[1].payload["sealedToken"]
    assert lightsail.get_contact_methods()["contactMethods"][0]["status"] == "PendingVerification"


def test_send_verification_refuses_sms(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    response = error_of(lightsail.send_contact_method_verification, protocol="SMS")
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith("protocol: ")


def test_accounts_and_regions_never_see_each_other(server: ServerProcess) -> None:
    alice, bob = server.new_account(), server.new_account()
    clients = {
        (who.account_id, region): server.client(who, region=region)
        for who in (alice, bob)
        for region in ("us-east-1", "ap-southeast-2")
    }
    for (account_id, region), client in clients.items():
        client.create_contact_method(protocol="Email", contactEndpoint=f"{account_id}.{region}@example.com")
        client.create_contact_method(protocol="SMS", contactEndpoint="+61491570156")
    for (account_id, region), client in clients.items():
        methods = client.get_contact_methods()["contactMethods"]
        assert {m["contactEndpoint"] for m in methods} == {f"{account_id}.{region}@example.com", "+61491570156"}
        assert all(f":{region}:{account_id}:" in m["arn"] for m in methods)
        ops = client.get_operations()["operations"]
        assert len(ops) == 2 and {o["location"]["regionName"] for o in ops} == {region}
        for (other_account, other_region), other in clients.items():
            if (other_account, other_region) != (account_id, region):
                response = error_of(other.get_operation, operationId=ops[0]["id"])
                assert response["Error"]["Code"] == "NotFoundException"
    clients[(alice.account_id, "us-east-1")].delete_contact_method(protocol="Email")
    assert len(clients[(bob.account_id, "us-east-1")].get_contact_methods()["contactMethods"]) == 2
    assert len(clients[(alice.account_id, "ap-southeast-2")].get_contact_methods()["contactMethods"]) == 2


@pytest.mark.backend  # a race the store decides
def test_forty_concurrent_creates_have_exactly_one_winner(server: ServerProcess, account: Account) -> None:
    def create(i: int) -> str:
        client = server.client(account)
        try:
            client.create_contact_method(protocol="Email", contactEndpoint=f"racer{i}@example.com")
            return "created"
        except ClientError as error:
            return str(error.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(create, range(40)))
    assert outcomes.count("created") == 1
    assert outcomes.count("InvalidInputException") == 39
    (cm,) = server.client(account).get_contact_methods()["contactMethods"]
    winner = outcomes.index("created")
    assert cm["contactEndpoint"] == f"racer{winner}@example.com"
