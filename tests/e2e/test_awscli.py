"""The real AWS CLI v1 (`aws lightsail …`) against a real `lsnotify serve`: every served command and its JSON output,
the table and text outputs with ``--query``, the endpoint from ``AWS_ENDPOINT_URL_LIGHTSAIL``, and every error path
with the exit code, exception name and message the CLI prints. Each test uses a fresh account.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from harness import Account, ServerProcess, aws_cli, cli_json

CLI_ERROR = re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation: (.*)")


def aws(server: ServerProcess, account: Account, *args: str) -> Any:
    """`aws lightsail …` that must succeed: its JSON output."""
    return cli_json(aws_cli(server, account, *args))


def aws_text(server: ServerProcess, account: Account, *args: str) -> str:
    result = aws_cli(server, account, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def aws_error(server: ServerProcess, account: Account, *args: str, region: str = "us-east-1") -> tuple[str, str, str]:
    """`aws lightsail …` that must fail as CLI v1 fails on a service error: (exception, operation, message)."""
    result = aws_cli(server, account, *args, region=region)
    assert result.returncode == 255, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    match = CLI_ERROR.fullmatch(result.stderr.strip())
    assert match, result.stderr
    exception, operation, message = match.groups()
    return exception, operation, message


def only_operation(output: Any, operation_type: str, resource_name: str) -> dict[str, Any]:
    """The single operation a mutating command prints, checked field by field."""
    (operation,) = output["operations"]
    assert operation["operationType"] == operation_type
    assert operation["resourceName"] == resource_name
    assert operation["resourceType"] == "ContactMethod"
    assert (operation["status"], operation["isTerminal"]) == ("Succeeded", True)
    assert operation["location"] == {"availabilityZone": "all", "regionName": "us-east-1"}
    assert isinstance(operation["createdAt"], float) and operation["statusChangedAt"] == operation["createdAt"]
    uuid.UUID(operation["id"])
    return dict(operation)


# --------------------------------------------------------------------------------------------------------------------
# Every served command


def test_contact_method_commands(server: ServerProcess, account: Account) -> None:
    for protocol, endpoint in (("Email", "me@example.com"), ("SMS", "+14255550100")):
        created = aws(server, account, "create-contact-method", "--protocol", protocol, "--contact-endpoint", endpoint)
        only_operation(created, "CreateContactMethod", f"{protocol}-us-east-1")

    methods = {m["protocol"]: m for m in aws(server, account, "get-contact-methods")["contactMethods"]}
    assert {p: (m["contactEndpoint"], m["status"], m["name"]) for p, m in methods.items()} == {
        "Email": ("me@example.com", "PendingVerification", "Email-us-east-1"),
        "SMS": ("+14255550100", "Valid", "SMS-us-east-1"),
    }
    for method in methods.values():
        prefix, method_id = method["arn"].rsplit("/", 1)
        assert prefix == f"arn:aws:lightsail:us-east-1:{account.account_id}:ContactMethod"
        assert method["supportCode"] == f"{account.account_id}/{uuid.UUID(method_id)}"
        assert method["location"] == {"availabilityZone": "all", "regionName": "us-east-1"}
        assert method["resourceType"] == "ContactMethod"
        assert isinstance(method["createdAt"], float)

    sms_only = aws(server, account, "get-contact-methods", "--protocols", "SMS")["contactMethods"]
    assert sms_only == [methods["SMS"]]

    sent = aws(server, account, "send-contact-method-verification", "--protocol", "Email")
    only_operation(sent, "SendContactMethodVerification", "Email-us-east-1")

    deleted = aws(server, account, "delete-contact-method", "--protocol", "SMS")
    only_operation(deleted, "DeleteContactMethod", "SMS-us-east-1")
    assert aws(server, account, "get-contact-methods")["contactMethods"] == [methods["Email"]]


def test_operation_commands(server: ServerProcess, account: Account, lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="me@example.com")
    lightsail.delete_contact_method(protocol="SMS")

    operations = aws(server, account, "get-operations")["operations"]
    assert [(o["operationType"], o["resourceName"]) for o in operations] == [
        ("DeleteContactMethod", "SMS-us-east-1"),
        ("CreateContactMethod", "Email-us-east-1"),
        ("CreateContactMethod", "SMS-us-east-1"),
    ]
    assert "nextPageToken" not in aws(server, account, "get-operations", "--no-paginate")

    one = aws(server, account, "get-operation", "--operation-id", operations[1]["id"])
    assert one == {"operation": operations[1]}

    for_sms = aws(server, account, "get-operations-for-resource", "--resource-name", "SMS-us-east-1")["operations"]
    assert for_sms == [operations[0], operations[2]]


def test_operations_are_paginated(server: ServerProcess, account: Account, lightsail: Any) -> None:
    """More than a page (200) of operations: the CLI follows nextPageToken; --page-token pages by hand."""
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    for i in range(205):
        lightsail.tag_resource(resourceName="SMS-us-east-1", tags=[{"key": "n", "value": str(i)}])

    everything = aws(server, account, "get-operations")["operations"]
    assert len(everything) == 206 and len({o["id"] for o in everything}) == 206
    assert [o["operationType"] for o in everything] == ["TagResource"] * 205 + ["CreateContactMethod"]
    assert all(a["createdAt"] >= b["createdAt"] for a, b in pairwise(everything))

    first = aws(server, account, "get-operations-for-resource", "--resource-name", "SMS-us-east-1")
    assert first["operations"] == everything[:200]
    second = aws(
        server,
        account,
        *("get-operations-for-resource", "--resource-name", "SMS-us-east-1", "--page-token", first["nextPageToken"]),
    )
    assert second == {"operations": everything[200:]}


def test_tag_commands(server: ServerProcess, account: Account, lightsail: Any) -> None:
    aws(
        server,
        account,
        *("create-contact-method", "--protocol", "SMS", "--contact-endpoint", "+14255550100"),
        *("--tags", "key=team,value=ops"),
    )
    (method,) = lightsail.get_contact_methods()["contactMethods"]
    assert method["tags"] == [{"key": "team", "value": "ops"}]

    tagged = aws(
        server,
        account,
        *("tag-resource", "--resource-name", "SMS-us-east-1", "--resource-arn", method["arn"]),
        *("--tags", "key=env,value=prod", "key=flag", "key=team,value=platform"),
    )
    only_operation(tagged, "TagResource", "SMS-us-east-1")
    (method,) = aws(server, account, "get-contact-methods")["contactMethods"]
    assert sorted(method["tags"], key=lambda tag: tag["key"]) == [
        {"key": "env", "value": "prod"},
        {"key": "flag"},
        {"key": "team", "value": "platform"},
    ]

    untagged = aws(server, account, "untag-resource", "--resource-name", "SMS-us-east-1", "--tag-keys", "team", "flag")
    only_operation(untagged, "UntagResource", "SMS-us-east-1")
    assert lightsail.get_contact_methods()["contactMethods"][0]["tags"] == [{"key": "env", "value": "prod"}]


# --------------------------------------------------------------------------------------------------------------------
# Output formats and configuration


def test_table_and_text_output_with_query(server: ServerProcess, account: Account, lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="me@example.com")

    query = "contactMethods[].[protocol,contactEndpoint,status]"
    table = aws_text(server, account, "get-contact-methods", "--query", query, "--output", "table")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines() if "|" in line]
    assert rows[0] == ["GetContactMethods"]
    assert sorted(rows[1:]) == [["Email", "me@example.com", "PendingVerification"], ["SMS", "+14255550100", "Valid"]]

    full = aws_text(server, account, "get-contact-methods", "--output", "table")
    assert "GetContactMethods" in full and "contactMethods" in full and "+14255550100" in full

    text = aws_text(server, account, "get-contact-methods", "--protocols", "SMS", "--query", query, "--output", "text")
    assert text.split() == ["SMS", "+14255550100", "Valid"]


def test_endpoint_from_environment_variable(server: ServerProcess, account: Account, lightsail: Any) -> None:
    created = cli_json(
        aws_cli(
            server,
            account,
            "create-contact-method",
            "--protocol",
            "SMS",
            "--contact-endpoint",
            "+14255550100",
            endpoint_from_env=True,
        )
    )
    only_operation(created, "CreateContactMethod", "SMS-us-east-1")
    listed = cli_json(aws_cli(server, account, "get-contact-methods", endpoint_from_env=True))["contactMethods"]
    assert [m["contactEndpoint"] for m in listed] == ["+14255550100"]
    assert [m["arn"] for m in lightsail.get_contact_methods()["contactMethods"]] == [listed[0]["arn"]]


# --------------------------------------------------------------------------------------------------------------------
# Every error path: exit code 255, the exception, the message, and nothing changed


def state(lightsail: Any) -> tuple[Any, Any]:
    return lightsail.get_contact_methods()["contactMethods"], lightsail.get_operations()["operations"]


def with_email(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="first@example.com")


def with_49_tags(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    lightsail.tag_resource(resourceName="SMS-us-east-1", tags=[{"key": f"k{i}", "value": "v"} for i in range(49)])


def nothing(lightsail: Any) -> None:
    pass


ERRORS = [
    pytest.param(
        with_email,
        ("create-contact-method", "--protocol", "Email", "--contact-endpoint", "second@example.com"),
        "us-east-1",
        "InvalidInputException",
        "CreateContactMethod",
        "protocol: this account already has an Email contact method in us-east-1 (Email-us-east-1, first@example.com)",
        id="second-email",
    ),
    pytest.param(
        nothing,
        ("delete-contact-method", "--protocol", "SMS"),
        "us-east-1",
        "NotFoundException",
        "DeleteContactMethod",
        "protocol: there is no SMS contact method in us-east-1.",
        id="delete-missing",
    ),
    pytest.param(
        nothing,
        ("create-contact-method", "--protocol", "Email", "--contact-endpoint", "not-an-address"),
        "us-east-1",
        "InvalidInputException",
        "CreateContactMethod",
        'contactEndpoint: "not-an-address" is not a valid email address: ',
        id="invalid-email",
    ),
    pytest.param(
        nothing,
        ("create-contact-method", "--protocol", "SMS", "--contact-endpoint", "425 555 0100"),
        "us-east-1",
        "InvalidInputException",
        "CreateContactMethod",
        'contactEndpoint: "425 555 0100" is not an E.164 phone number',
        id="phone-not-e164",
    ),
    pytest.param(
        nothing,
        ("create-contact-method", "--protocol", "SMS", "--contact-endpoint", "+19995550100"),
        "us-east-1",
        "InvalidInputException",
        "CreateContactMethod",
        'contactEndpoint: "+19995550100" is not a valid phone number.',
        id="phone-not-valid",
    ),
    pytest.param(
        nothing,
        ("create-contact-method", "--protocol", "SMS", "--contact-endpoint", "+14255550100"),
        "eu-west-2",
        "InvalidInputException",
        "CreateContactMethod",
        "protocol: SMS contact methods are not supported in eu-west-2; they are supported in ap-northeast-1, "
        "ap-southeast-1, ap-southeast-2, eu-west-1, us-east-1, us-west-2.",
        id="sms-in-eu-west-2",
    ),
    pytest.param(
        nothing,
        ("send-contact-method-verification", "--protocol", "Email"),
        "us-east-1",
        "NotFoundException",
        "SendContactMethodVerification",
        "protocol: there is no Email contact method in us-east-1 to verify.",
        id="verify-without-email",
    ),
    pytest.param(
        nothing,
        ("send-contact-method-verification", "--protocol", "SMS"),
        "us-east-1",
        "InvalidInputException",
        "SendContactMethodVerification",
        'protocol: must be one of Email (got "SMS")',
        id="verify-sms",
    ),
    pytest.param(
        nothing,
        ("untag-resource", "--resource-name", "Email-us-east-1", "--tag-keys", "team"),
        "us-east-1",
        "NotFoundException",
        "UntagResource",
        'resourceName: no taggable resource named "Email-us-east-1" in us-east-1.',
        id="untag-unknown-resource",
    ),
    pytest.param(
        with_email,
        ("tag-resource", "--resource-name", "Email-us-east-1", "--tags", *(f"key=k{i},value=v" for i in range(51))),
        "us-east-1",
        "InvalidInputException",
        "TagResource",
        "tags: a resource can have at most 50 tags (got 51).",
        id="51-tags",
    ),
    pytest.param(
        with_49_tags,
        ("tag-resource", "--resource-name", "SMS-us-east-1", "--tags", "key=k0,value=new", "key=x", "key=y"),
        "us-east-1",
        "InvalidInputException",
        "TagResource",
        "tags: a resource can have at most 50 tags; this change would leave SMS-us-east-1 with 51.",
        id="tags-beyond-50-in-total",
    ),
    pytest.param(
        with_email,
        ("tag-resource", "--resource-name", "Email-us-east-1", "--tags", "key=team", "key=aws:owner,value=me"),
        "us-east-1",
        "InvalidInputException",
        "TagResource",
        "tags[1].key: the aws: prefix is reserved for AWS use.",
        id="aws-prefix-tag",
    ),
    pytest.param(
        nothing,
        ("get-operation", "--operation-id", "00000000-0000-4000-8000-000000000000"),
        "us-east-1",
        "NotFoundException",
        "GetOperation",
        'operationId: no operation "00000000-0000-4000-8000-000000000000" in us-east-1.',
        id="unknown-operation-id",
    ),
]


@pytest.mark.parametrize(("setup", "args", "region", "exception", "operation", "message"), ERRORS)
def test_error_path(
    server: ServerProcess,
    account: Account,
    setup: Callable[[Any], None],
    args: tuple[str, ...],
    region: str,
    exception: str,
    operation: str,
    message: str,
) -> None:
    lightsail = server.client(account, region=region)
    setup(lightsail)
    before = state(lightsail)
    got_exception, got_operation, got_message = aws_error(server, account, *args, region=region)
    assert (got_exception, got_operation) == (exception, operation)
    assert got_message.startswith(message), got_message
    assert state(lightsail) == before
