"""TagResource, UntagResource and the operations log through boto3 against a real server."""

from __future__ import annotations

from typing import Any

import pytest

from harness import ServerProcess, error_of


@pytest.fixture
def email(lightsail: Any) -> dict[str, Any]:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="tags@example.com")
    cm: dict[str, Any] = lightsail.get_contact_methods()["contactMethods"][0]
    return cm


def tags_of(lightsail: Any) -> list[dict[str, str]]:
    return list(lightsail.get_contact_methods(protocols=["Email"])["contactMethods"][0]["tags"])


def test_tag_overwrite_and_untag(lightsail: Any, email: dict[str, Any]) -> None:
    (op,) = lightsail.tag_resource(
        resourceName="Email-us-east-1", tags=[{"key": "team", "value": "ops"}, {"key": "flag"}]
    )["operations"]
    assert (op["operationType"], op["resourceType"], op["resourceName"]) == (
        "TagResource",
        "ContactMethod",
        "Email-us-east-1",
    )
    lightsail.tag_resource(
        resourceName="Email-us-east-1", resourceArn=email["arn"], tags=[{"key": "team", "value": "sre"}]
    )
    assert tags_of(lightsail) == [{"key": "team", "value": "sre"}, {"key": "flag"}]
    (op,) = lightsail.untag_resource(resourceName="Email-us-east-1", tagKeys=["team", "never-set"])["operations"]
    assert op["operationType"] == "UntagResource"
    assert tags_of(lightsail) == [{"key": "flag"}]


def test_tag_limits(lightsail: Any, email: dict[str, Any]) -> None:
    lightsail.tag_resource(resourceName="Email-us-east-1", tags=[{"key": f"k{i}"} for i in range(45)])
    response = error_of(
        lightsail.tag_resource, resourceName="Email-us-east-1", tags=[{"key": f"new{i}"} for i in range(6)]
    )
    assert response["Error"]["Code"] == "InvalidInputException"
    assert "at most 50 tags" in response["Error"]["Message"] and "51" in response["Error"]["Message"]
    assert len(tags_of(lightsail)) == 45
    lightsail.tag_resource(resourceName="Email-us-east-1", tags=[{"key": f"new{i}"} for i in range(5)])
    assert len(tags_of(lightsail)) == 50


@pytest.mark.parametrize(
    ("tag", "fragment"),
    [
        ({"key": ""}, "tags[0].key: must not be empty"),
        ({"key": "k" * 129}, "tags[0].key: must be at most 128 characters"),
        ({"key": "k", "value": "v" * 257}, "tags[0].value: must be at most 256 characters"),
        ({"key": "aws:owner"}, "tags[0].key: the aws: prefix is reserved"),
        ({"key": "ok", "value": "AWS:x"}, "tags[0].value: the aws: prefix is reserved"),
        ({"key": "semi;colon"}, 'tags[0].key: "semi;colon" may contain only'),
        ({"key": "équipe", "value": "café + thé = ok"}, None),
    ],
)
def test_tag_rules(lightsail: Any, email: dict[str, Any], tag: dict[str, str], fragment: str | None) -> None:
    if fragment is None:
        lightsail.tag_resource(resourceName="Email-us-east-1", tags=[tag])
        assert tags_of(lightsail) == [tag]
        return
    response = error_of(lightsail.tag_resource, resourceName="Email-us-east-1", tags=[tag])
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith(fragment)
    assert tags_of(lightsail) == []


def test_duplicate_keys_in_one_request_are_refused(lightsail: Any, email: dict[str, Any]) -> None:
    response = error_of(
        lightsail.tag_resource, resourceName="Email-us-east-1", tags=[{"key": "a", "value": "1"}, {"key": "a"}]
    )
    assert response["Error"]["Message"].startswith('tags[1].key: "a" appears more than once')


def test_tagging_unknown_resources_and_mismatched_arns(lightsail: Any, email: dict[str, Any]) -> None:
    response = error_of(lightsail.tag_resource, resourceName="SMS-us-east-1", tags=[{"key": "a"}])
    assert response["Error"]["Code"] == "NotFoundException"
    response = error_of(lightsail.untag_resource, resourceName="nothing-here", tagKeys=["a"])
    assert response["Error"]["Code"] == "NotFoundException"
    wrong_arn = email["arn"].rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    response = error_of(lightsail.tag_resource, resourceName="Email-us-east-1", resourceArn=wrong_arn, tags=[])
    assert response["Error"]["Code"] == "InvalidInputException"
    assert response["Error"]["Message"].startswith("resourceArn: ")


def test_every_change_is_an_operation_newest_first(lightsail: Any) -> None:
    lightsail.create_contact_method(protocol="Email", contactEndpoint="log@example.com")
    lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
    lightsail.tag_resource(resourceName="SMS-us-east-1", tags=[{"key": "a"}])
    lightsail.send_contact_method_verification(protocol="Email")
    lightsail.delete_contact_method(protocol="SMS")
    ops = lightsail.get_operations()["operations"]
    assert [o["operationType"] for o in ops] == [
        "DeleteContactMethod",
        "SendContactMethodVerification",
        "TagResource",
        "CreateContactMethod",
        "CreateContactMethod",
    ]
    assert "nextPageToken" not in lightsail.get_operations()
    for op in ops:
        assert lightsail.get_operation(operationId=op["id"])["operation"] == op

    sms_ops = lightsail.get_operations_for_resource(resourceName="SMS-us-east-1")["operations"]
    assert [o["operationType"] for o in sms_ops] == ["DeleteContactMethod", "TagResource", "CreateContactMethod"]
    assert lightsail.get_operations_for_resource(resourceName="Nothing-here")["operations"] == []


def test_operations_page_by_200_with_the_paginator(server: ServerProcess, account: Any) -> None:
    lightsail = server.client(account, region="eu-west-1")
    lightsail.create_contact_method(protocol="Email", contactEndpoint="pages@example.com")
    for i in range(220):
        lightsail.tag_resource(resourceName="Email-eu-west-1", tags=[{"key": "n", "value": str(i)}])
    first = lightsail.get_operations()
    assert len(first["operations"]) == 200 and first["nextPageToken"]
    second = lightsail.get_operations(pageToken=first["nextPageToken"])
    assert len(second["operations"]) == 21 and "nextPageToken" not in second
    pages = list(lightsail.get_paginator("get_operations").paginate())
    ids = [op["id"] for page in pages for op in page["operations"]]
    assert len(ids) == len(set(ids)) == 221
    stamps = [op["createdAt"] for page in pages for op in page["operations"]]
    assert stamps == sorted(stamps, reverse=True)

    by_resource = lightsail.get_operations_for_resource(resourceName="Email-eu-west-1")
    assert len(by_resource["operations"]) == 200
    rest = lightsail.get_operations_for_resource(resourceName="Email-eu-west-1", pageToken=by_resource["nextPageToken"])
    assert len(rest["operations"]) == 21


def test_bad_page_tokens_and_unknown_operations(lightsail: Any) -> None:
    for token in ("garbage!", "bm90IGpzb24=", "WzEsMl0="):
        response = error_of(lightsail.get_operations, pageToken=token)
        assert response["Error"]["Code"] == "InvalidInputException"
        assert response["Error"]["Message"].startswith("pageToken: ")
    response = error_of(lightsail.get_operation, operationId="00000000-0000-0000-0000-000000000000")
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["Error"]["Message"].startswith("operationId: ")
