"""The dispatch table matches the model, and what we serialize is exactly what botocore parses back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.parsers import create_parser
from botocore.session import get_session

from lsnotify.awsjson.model import lightsail_model, operation_names
from lsnotify.awsjson.parse import parse_body, parse_target
from lsnotify.awsjson.serialize import ResponseSerializer, serialize_error
from lsnotify.awsjson.shared import SharedResult
from lsnotify.errors import (
    InvalidInputException,
    InvalidSignatureException,
    NotFoundException,
    SerializationException,
    ServiceException,
    UnknownOperationException,
    UnrecognizedClientException,
)
from lsnotify.service.api import OPERATIONS

MODEL = lightsail_model()
CLIENT = get_session().create_client(
    "lightsail", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
)


def test_every_served_operation_is_a_lightsail_operation() -> None:
    assert set(OPERATIONS) <= operation_names()
    assert len(OPERATIONS) == len(set(OPERATIONS))


def _botocore_parse(operation: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> dict[str, Any]:
    parser = create_parser("json")
    response = {
        "status_code": status,
        "headers": {k.decode(): v.decode() for k, v in headers},
        "body": body,
    }
    parsed: dict[str, Any] = parser.parse(response, MODEL.operation_model(operation).output_shape)
    return parsed


def test_success_round_trips_through_botocore() -> None:
    serializer = ResponseSerializer([("GetContactMethods", MODEL.operation_model("GetContactMethods").output_shape)])
    result = {
        "contactMethods": [
            {
                "contactEndpoint": None,  # omitted, never null
                "status": "Invalid",
                "protocol": "Email",
                "name": "Email-us-east-1",
                "arn": "arn:aws:lightsail:us-east-1:111111111111:ContactMethod/x",
                "createdAt": 1_800_000_000.25,
                "location": {"availabilityZone": "all", "regionName": "us-east-1"},
                "resourceType": "ContactMethod",
                "supportCode": "111111111111/x",
                "tags": [{"key": "k"}],
            }
        ]
    }
    response = serializer.success("GetContactMethods", result, "req-1")
    assert b"null" not in response.body
    parsed = _botocore_parse("GetContactMethods", response.status, response.headers, response.body)
    (cm,) = parsed["contactMethods"]
    assert "contactEndpoint" not in cm
    assert cm["createdAt"] == datetime.fromtimestamp(1_800_000_000.25, tz=UTC)
    assert cm["tags"] == [{"key": "k"}]
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"


def test_datetimes_become_epoch_numbers_and_unmodelled_members_warn() -> None:
    serializer = ResponseSerializer([("GetOperation", MODEL.operation_model("GetOperation").output_shape)])
    when = datetime(2027, 1, 1, tzinfo=UTC)
    response = serializer.success("GetOperation", {"operation": {"id": "o", "createdAt": when}}, "r")
    assert response.body == b'{"operation":{"id":"o","createdAt":%s}}' % str(when.timestamp()).encode()
    with pytest.warns(UserWarning, match="surprise"):
        serializer.success("GetOperation", {"operation": {"id": "o", "surprise": 1}}, "r")


@pytest.mark.parametrize(
    ("error", "status", "modeled"),
    [
        (NotFoundException("gone"), 400, True),
        (InvalidInputException("bad"), 400, True),
        (ServiceException(), 500, True),
        (UnknownOperationException(), 404, False),
        (UnrecognizedClientException(), 403, False),
        (SerializationException(), 400, False),
    ],
)
def test_errors_parse_in_botocore_as_their_type(error: Any, status: int, modeled: bool) -> None:
    response = serialize_error(error, "req-2")
    assert response.status == status
    headers = dict(response.headers)
    assert headers[b"x-amzn-errortype"] == error.type_name.encode()
    assert headers[b"content-type"] == b"application/x-amz-json-1.1"
    parsed = _botocore_parse("GetContactMethods", response.status, response.headers, response.body)
    assert parsed["Error"]["Code"] == error.type_name
    assert parsed["Error"]["Message"] == error.message
    assert hasattr(CLIENT.exceptions, error.type_name) is modeled
    body = json.loads(response.body)
    if modeled:
        assert body["code"] == error.code and body["docs"].startswith("https://")
    else:
        assert set(body) == {"__type", "message"}


def test_error_messages_default_to_the_class_docstring_on_one_line() -> None:
    assert "\n" not in InvalidSignatureException().message
    assert InvalidSignatureException().message.startswith("The request signature we calculated does not match")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Lightsail_20161128.GetContactMethods", ("Lightsail_20161128", "GetContactMethods")),
        ("Lightsail_20161128.", None),
        ("Lightsail_20161128", None),
        ("Other_2020.GetThing", None),
        ("", None),
        (None, None),
        ("x" * 10_000, None),
    ],
)
def test_parse_target(target: str | None, expected: tuple[str, str] | None) -> None:
    if expected is None:
        with pytest.raises(UnknownOperationException) as raised:
            parse_target(target, frozenset({"Lightsail_20161128"}))
        assert len(raised.value.message) < 200
    else:
        assert parse_target(target, frozenset({"Lightsail_20161128"})) == expected


@pytest.mark.parametrize("body", [b"{", b"[]", b'"x"', b"1", b"\xff\xfe", b"{} {}", b'{"a":NaN}'])
def test_parse_body_refuses_anything_but_one_object(body: bytes) -> None:
    with pytest.raises(SerializationException):
        parse_body(body)


def test_parse_body_accepts_empty_and_whitespace() -> None:
    assert parse_body(b"") == {} and parse_body(b" \n") == {} and parse_body(b'{"a": 1}') == {"a": 1}


def test_a_shared_result_is_serialized_once_and_a_plain_one_every_time() -> None:
    serializer = ResponseSerializer([("GetContactMethods", MODEL.operation_model("GetContactMethods").output_shape)])
    shared = SharedResult(contactMethods=[{"status": "Valid", "protocol": "SMS", "contactEndpoint": None}])
    first = serializer.success("GetContactMethods", shared, "req-1")
    again = serializer.success("GetContactMethods", shared, "req-2")
    assert again.body is first.body and json.loads(first.body) == {
        "contactMethods": [{"status": "Valid", "protocol": "SMS"}]
    }
    assert dict(again.headers)[b"x-amzn-requestid"] == b"req-2"  # the headers are the request's own
    plain = {"contactMethods": []}
    assert (
        serializer.success("GetContactMethods", plain, "r").body
        is not serializer.success("GetContactMethods", plain, "r").body
    )
    other = SharedResult(contactMethods=[])  # an equal-looking but distinct shared result has bytes of its own
    assert serializer.success("GetContactMethods", other, "r").body == b'{"contactMethods":[]}'
