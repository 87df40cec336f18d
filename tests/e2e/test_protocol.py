"""The AWS JSON 1.1 wire protocol end to end, against a real `lsnotify serve`: bodies and targets, success and error
responses as boto3 and the raw bytes see them, body size limits, and input of every wrong JSON type, generated from
botocore's Lightsail model, then fuzzed with hypothesis. No request may ever get a 5xx or change data it was refused.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import urllib3
from botocore.exceptions import ClientError
from botocore.model import Shape
from hypothesis import given, settings
from hypothesis import strategies as st
from signing import CONTENT_TYPE, RawClient, assert_error, post, sign, target

from harness import Account, ServerProcess
from lsnotify.awsjson.model import lightsail_model
from lsnotify.service.api import OPERATIONS

SERVED = tuple(OPERATIONS)
MODEL = lightsail_model()
MAX_BODY = 1024 * 1024
SMS = {"protocol": "SMS", "contactEndpoint": "+14255550100"}


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a parsed JSON document, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def http_request(server: ServerProcess, headers: dict[str, str], body: bytes) -> bytes:
    """A raw HTTP/1.1 POST /, headers verbatim (Content-Length included: it may lie)."""
    head = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode() + b"\r\n" + body


def raw_exchange(server: ServerProcess, request: bytes, *, half_close: bool = True, timeout: float = 3.0) -> bytes:
    """Send ``request`` on a fresh socket, half-close it (or not), and read until the server closes or goes quiet."""
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


def statuses(received: bytes) -> list[int]:
    return [int(line.split()[1]) for line in received.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def healthy(server: ServerProcess, raw: RawClient) -> None:
    """The server still answers its health check and API calls."""
    assert urllib3.request("GET", server.url + "/healthz", timeout=5).status == 200
    assert raw.call("GetContactMethods") == {"contactMethods": []}


# --------------------------------------------------------------------------------------------------------------------
# Bodies and targets


@pytest.mark.parametrize(
    "body",
    [b"{bad", b'{"protocols": ["SMS"],}', b"{'protocols': []}", b"\xff\xfe{}", b"{} {}", b"NaN", b"[1e999]"],
    ids=["truncated", "trailing-comma", "single-quotes", "not-utf-8", "two-documents", "NaN", "infinite-number"],
)
def test_malformed_json_is_a_serialization_exception(server: ServerProcess, account: Account, body: bytes) -> None:
    response = RawClient(server, account).call_raw("GetContactMethods", body=body)
    assert_error(response, 400, "SerializationException", "The request body is not valid JSON")


@pytest.mark.parametrize("body", [b"[]", b'["protocols"]', b'"text"', b"42", b"true", b"null"])
def test_json_that_is_not_an_object_is_a_serialization_exception(
    server: ServerProcess, account: Account, body: bytes
) -> None:
    response = RawClient(server, account).call_raw("CreateContactMethod", body=body)
    assert_error(response, 400, "SerializationException", "The request body must be a JSON object.")


@pytest.mark.parametrize("operation", ["GetContactMethods", "GetOperations"])
@pytest.mark.parametrize("body", [b"", b" \r\n\t"], ids=["empty", "whitespace"])
def test_empty_body_means_no_input(server: ServerProcess, account: Account, operation: str, body: bytes) -> None:
    raw = RawClient(server, account)
    raw.call("CreateContactMethod", SMS)
    response = raw.call_raw(operation, body=body)
    assert response.status == 200, response.body
    (listed,) = response.json().values()
    assert len(listed) == 1


@pytest.mark.parametrize(
    "target_header",
    ["Lightsail_20161128.NoSuchThing", "Other_2020.X", "Lightsail_20161128.", "Lightsail_20161128", None],
    ids=["unknown-operation", "other-service", "no-operation", "no-dot", "no-header"],
)
def test_unknown_target_is_404_unknown_operation(
    server: ServerProcess, account: Account, target_header: str | None
) -> None:
    headers = {"Content-Type": CONTENT_TYPE} | ({} if target_header is None else {"X-Amz-Target": target_header})
    signed = sign(server.url + "/", headers, b"{}", account)
    assert_error(post(server.url + "/", signed), 404, "UnknownOperationException")


@pytest.mark.parametrize("operation", ["GetInstances", "CreateInstances", "GetInstanceSnapshots", "DeleteInstance"])
def test_unserved_lightsail_operation_is_named_in_unsupported_operation(
    server: ServerProcess, account: Account, operation: str
) -> None:
    response = RawClient(server, account).call_raw(operation, {})
    body = assert_error(response, 400, "UnsupportedOperationException")
    assert body["message"].startswith(f"{operation} is a Lightsail operation that lsnotify does not serve")
    assert all(name in body["message"] for name in SERVED)


def test_boto3_sees_unsupported_operation(lightsail: Any) -> None:
    with pytest.raises(ClientError) as caught:
        lightsail.get_instances()
    assert caught.value.response["Error"]["Code"] == "UnsupportedOperationException"
    assert "GetInstances" in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_path_is_ignored(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    assert raw.call("CreateContactMethod", SMS, path="/some/prefix/")["operations"][0]["status"] == "Succeeded"
    assert len(raw.call("GetContactMethods", path="/other")["contactMethods"]) == 1


# --------------------------------------------------------------------------------------------------------------------
# Success responses


def test_success_response_headers(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    responses = [raw.call_raw("CreateContactMethod", SMS), raw.call_raw("GetContactMethods")]
    responses += [raw.call_raw("GetOperations") for _ in range(3)]
    request_ids = []
    for response in responses:
        assert response.status == 200, response.body
        assert response.headers["Content-Type"] == CONTENT_TYPE
        assert int(response.headers["Content-Length"]) == len(response.body)
        assert "Content-Encoding" not in response.headers
        request_ids.append(response.headers["x-amzn-RequestId"])
        date = parsedate_to_datetime(response.headers["Date"])
        assert response.headers["Date"].endswith(" GMT")
        assert abs(date - datetime.now(UTC)) < timedelta(minutes=1)
    assert all(str(uuid.UUID(request_id)) == request_id for request_id in request_ids)
    assert len(set(request_ids)) == len(request_ids)


def test_boto3_exposes_the_request_id(lightsail: Any) -> None:
    first, second = lightsail.get_contact_methods(), lightsail.get_contact_methods()
    for result in (first, second):
        metadata = result["ResponseMetadata"]
        assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
        uuid.UUID(metadata["RequestId"])
    assert first["ResponseMetadata"]["RequestId"] != second["ResponseMetadata"]["RequestId"]


def test_timestamps_are_numbers_and_nulls_are_absent(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    created = raw.call_raw("CreateContactMethod", {"protocol": "Email", "contactEndpoint": "ops@example.com"})
    raw.call("CreateContactMethod", {**SMS, "tags": [{"key": "team"}]})
    operation_id = created.json()["operations"][0]["id"]
    responses = [
        created,
        raw.call_raw("GetContactMethods"),
        raw.call_raw("GetOperations"),
        raw.call_raw("GetOperation", {"operationId": operation_id}),
        raw.call_raw("GetOperationsForResource", {"resourceName": "Email-us-east-1"}),
    ]
    timestamps = 0
    for response in responses:
        assert response.status == 200, response.body
        assert b"null" not in response.body, response.body
        for key, value in walk(response.json()):
            assert value is not None, key
            if key in ("createdAt", "statusChangedAt"):
                assert type(value) in (int, float), (key, value)
                assert abs(value - datetime.now(UTC).timestamp()) < 60
                timestamps += 1
    assert timestamps >= 10
    operation = responses[3].json()["operation"]
    assert "operationDetails" not in operation and "errorCode" not in operation
    methods = responses[1].json()["contactMethods"]
    assert [tag for m in methods for tag in m["tags"]] == [{"key": "team"}]


def test_boto3_parses_timestamps_as_datetimes(lightsail: Any) -> None:
    lightsail.create_contact_method(**SMS)
    (method,) = lightsail.get_contact_methods()["contactMethods"]
    assert isinstance(method["createdAt"], datetime)
    assert abs(method["createdAt"] - datetime.now(UTC)) < timedelta(minutes=1)


# --------------------------------------------------------------------------------------------------------------------
# Error responses


def test_modeled_error_body_and_headers(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    missing = assert_error(raw.call_raw("DeleteContactMethod", {"protocol": "SMS"}), 400, "NotFoundException")
    invalid = assert_error(
        raw.call_raw("CreateContactMethod", {"protocol": "Email", "contactEndpoint": "not-an-address"}),
        400,
        "InvalidInputException",
        "contactEndpoint: ",
    )
    for body, code in ((missing, "DoesNotExist"), (invalid, "InvalidInput")):
        assert set(body) == {"__type", "message", "code", "docs", "tip"}
        assert body["code"] == code
        assert body["docs"].startswith("https://docs.aws.amazon.com/lightsail/")
        assert body["tip"]


def test_protocol_error_carries_no_lightsail_members(server: ServerProcess, account: Account) -> None:
    body = assert_error(post(server.url + "/", target("GetContactMethods")), 403, "MissingAuthenticationTokenException")
    assert set(body) == {"__type", "message"}


def test_boto3_raises_the_modeled_exception_classes(lightsail: Any) -> None:
    with pytest.raises(lightsail.exceptions.NotFoundException) as missing:
        lightsail.delete_contact_method(protocol="SMS")
    with pytest.raises(lightsail.exceptions.InvalidInputException) as invalid:
        lightsail.create_contact_method(protocol="SMS", contactEndpoint="4255550100")
    for caught, code, field in ((missing, "DoesNotExist", "protocol"), (invalid, "InvalidInput", "contactEndpoint")):
        response = caught.value.response
        assert response["code"] == code
        assert response["docs"].startswith("https://docs.aws.amazon.com/lightsail/")
        assert response["tip"]
        assert response["message"] == response["Error"]["Message"]
        assert response["Error"]["Message"].startswith(f"{field}: ")
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == response["Error"]["Code"]
        uuid.UUID(response["ResponseMetadata"]["RequestId"])


# --------------------------------------------------------------------------------------------------------------------
# Body size


def test_body_over_the_limit_is_413_and_the_server_carries_on(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    assert raw.call("GetContactMethods", body=b"{}" + b" " * (MAX_BODY - 2)) == {"contactMethods": []}
    for _ in range(3):  # repeatedly: no connection, worker or memory is left in a bad state
        response = raw.call_raw("GetContactMethods", body=b" " * (MAX_BODY + 1))
        assert_error(response, 413, "RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY}")
    healthy(server, raw)


def test_chunked_body_is_held_to_the_limit_too(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    for body, status in ((b"{}" + b" " * (MAX_BODY - 2), 200), (b" " * (MAX_BODY + 1), 413)):
        chunks = (body[start : start + 65536] for start in range(0, len(body), 65536))
        response = post(server.url + "/", raw.headers("GetContactMethods", body), chunks, chunked=True)
        assert response.status == status, response.body
    assert_error(response, 413, "RequestEntityTooLargeException")
    healthy(server, raw)


def test_body_just_under_the_limit_is_validated_not_refused(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    skeleton = json.dumps({"protocol": "Email", "contactEndpoint": ""}).encode()
    body = skeleton.replace(b'""', b'"' + b"a" * (MAX_BODY - 100 - len(skeleton)) + b'"')
    assert len(body) == MAX_BODY - 100
    response = raw.call_raw("CreateContactMethod", body=body)
    assert_error(response, 400, "InvalidInputException", "contactEndpoint: must be at most 256 characters long")
    assert len(response.body) < 1000
    healthy(server, raw)


@pytest.mark.parametrize(
    ("content_length", "body", "half_close"),
    [
        ("1000", b"{}", True),
        ("1000", b"{}", False),
        ("1", b"{}", True),
        ("2", b'{}{"protocols":["SMS"]}', True),
        ("abc", b"{}", True),
        ("-5", b"{}", True),
    ],
    ids=[
        "longer-than-body-client-gone",
        "longer-than-body-client-waits",
        "shorter-than-body",
        "second-request-inside",
        "not-a-number",
        "negative",
    ],
)
def test_content_length_that_lies_gets_no_5xx_and_no_hang(
    server: ServerProcess, account: Account, content_length: str, body: bytes, half_close: bool
) -> None:
    raw = RawClient(server, account)
    headers = {**raw.headers("GetContactMethods", b"{}"), "Content-Length": content_length}
    received = raw_exchange(server, http_request(server, headers, body), half_close=half_close, timeout=1.0)
    assert all(400 <= status < 500 for status in statuses(received)), received
    healthy(server, raw)


def test_declared_length_over_the_limit_is_refused_before_the_body_arrives(
    server: ServerProcess, account: Account
) -> None:
    raw = RawClient(server, account)
    headers = {**raw.headers("GetContactMethods", b"{}"), "Content-Length": str(10 * 1024**3)}
    received = raw_exchange(server, http_request(server, headers, b"{}"), half_close=False)
    assert statuses(received) == [413], received
    assert b'"__type":"RequestEntityTooLargeException"' in received
    healthy(server, raw)


def test_request_cut_short_is_not_executed(server: ServerProcess, account: Account) -> None:
    """A client that declares more body than it sends and then goes away has not made a request: the server must
    not act on the part that arrived, even though that part is a complete, correctly signed CreateContactMethod."""
    raw = RawClient(server, account)
    body = json.dumps(SMS).encode()
    headers = {**raw.headers("CreateContactMethod", body), "Content-Length": str(len(body) + 10)}
    received = raw_exchange(server, http_request(server, headers, body))
    assert 200 not in statuses(received), received
    deadline = time.monotonic() + 1.5  # whatever the server does with it, it does at once: watch for a while
    while time.monotonic() < deadline:
        now = raw.call("GetContactMethods")["contactMethods"], raw.call("GetOperations")["operations"]
        assert now == ([], []), f"the cut-short request was executed: {now}"
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------------------------------
# Every input member, every wrong JSON type


JSON_VALUES: dict[str, list[Any]] = {
    "string": ["text", ""],
    "integer": [7, 0, -1, 2**64],
    "float": [2.5, -0.0, 1e300],
    "boolean": [True, False],
    "null": [None],
    "list": [["text"], []],
    "object": [{"key": "text"}, {}],
}
# The JSON types each shape type takes: a double takes any JSON number, a timestamp epoch seconds or a date string.
JSON_TYPES_OF = {
    "string": {"string"},
    "timestamp": {"integer", "float", "string"},
    "integer": {"integer"},
    "double": {"integer", "float"},
    "boolean": {"boolean"},
    "list": {"list"},
    "structure": {"object"},
}
# Valid values for the shapes that need more than "example"; the resource name is the account's one contact method, so
# a type error let through to TagResource or UntagResource would change it.
EXAMPLES = {
    "ResourceName": "Email-us-east-1",
    "ResourceArn": "arn:aws:lightsail:us-east-1:123456789012:ContactMethod/0a1b2c3d",
    "TagKey": "team",
    "TagValue": "ops",
}


def example(shape: Shape) -> Any:
    """A value of ``shape`` that passes shape validation."""
    if shape.type_name == "list":
        return [example(shape.member)]
    if shape.type_name == "structure":
        return {name: example(member) for name, member in shape.members.items()}
    lowest = shape.metadata.get("min", 1)  # GetInstanceMetricData's period is 60 or more
    scalars: dict[str, Any] = {"integer": lowest, "double": 1.0, "boolean": True, "timestamp": 1_800_000_000}
    if shape.type_name in scalars:
        return scalars[shape.type_name]
    assert shape.type_name == "string", shape
    return shape.enum[0] if shape.enum else EXAMPLES.get(shape.name, "example")


def wrong_values(shape: Shape, path: str, required: bool) -> Iterator[tuple[str, Any]]:
    """(path, value) for values of every JSON type ``shape`` does not take, here and one level down into its items
    (first and second) or members. null is wrong only where the member is required: elsewhere it means absent."""
    assert shape.type_name in JSON_TYPES_OF, f"{path}: add the JSON types of {shape.type_name}"
    for json_type, values in JSON_VALUES.items():
        if json_type not in JSON_TYPES_OF[shape.type_name] and (json_type != "null" or required):
            yield from ((path, value) for value in values)
    if shape.type_name == "list":
        for index in (0, 1):
            for item_path, item in wrong_values(shape.member, f"{path}[{index}]", required=True):
                yield item_path, [example(shape.member)] * index + [item]
    elif shape.type_name == "structure":
        for name, member in shape.members.items():
            for member_path, value in wrong_values(member, f"{path}.{name}", name in shape.required_members):
                yield member_path, {**example(shape), name: value}


def wrong_type_requests() -> list[tuple[str, str, dict[str, Any]]]:
    """(operation, path, params): a valid input with exactly one member of a wrong type."""
    requests = []
    for operation in SERVED:
        shape = MODEL.operation_model(operation).input_shape
        base = {name: example(shape.members[name]) for name in shape.required_members}
        for name, member in shape.members.items():
            for path, value in wrong_values(member, name, name in shape.required_members):
                requests.append((operation, path, {**base, name: value}))
    return requests


def test_every_member_of_every_wrong_type_is_invalid_input(server: ServerProcess, account: Account) -> None:
    raw = RawClient(server, account)
    raw.call("CreateContactMethod", {"protocol": "Email", "contactEndpoint": "ops@example.com"})
    before = raw.call_raw("GetContactMethods").body, raw.call_raw("GetOperations").body
    requests = wrong_type_requests()
    assert {operation for operation, _, _ in requests} == set(SERVED)
    assert {path for _, path, _ in requests} >= {"protocols[1]", "tags[0]", "tags[1].key", "tags[0].value"}
    wrong = []
    for operation, path, params in requests:
        response = raw.call_raw(operation, params)
        body = response.json()
        if not (
            response.status == 400
            and body.get("__type") == "InvalidInputException"
            and response.headers.get("x-amzn-ErrorType") == "InvalidInputException"
            and body.get("message", "").startswith(f"{path}: ")
        ):
            wrong.append((operation, path, json.dumps(params), response.status, body))
    assert wrong == [], f"{len(wrong)} of {len(requests)} requests were not refused as expected: {wrong}"
    assert (raw.call_raw("GetContactMethods").body, raw.call_raw("GetOperations").body) == before


# --------------------------------------------------------------------------------------------------------------------
# Fuzz: arbitrary JSON to every served operation


def page_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


MEMBER_NAMES = sorted(
    {name for op in SERVED for name in MODEL.operation_model(op).input_shape.members} | {"key", "value"}
)
PLAUSIBLE = st.sampled_from(
    [
        "Email",
        "SMS",
        "ops@example.com",
        "+14255550100",
        "Email-us-east-1",
        "SMS-us-east-1",
        "aws:reserved",
        "",
        " ",
        "\u0000",
        "é" * 300,
    ]
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | PLAUSIBLE,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(MEMBER_NAMES) | st.text(max_size=6), inner, max_size=4)
        | inner.map(page_token)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(MEMBER_NAMES), json_values, max_size=4).map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)


def test_fuzzed_bodies_never_get_a_5xx(server: ServerProcess) -> None:
    raw = RawClient(server, server.new_account())
    seen: set[int] = set()

    @given(operation=st.sampled_from(SERVED), body=bodies)
    @settings(max_examples=200, deadline=None, database=None)
    def send(operation: str, body: bytes) -> None:
        response = raw.call_raw(operation, body=body)
        assert 200 <= response.status < 500, (operation, body, response.status, response.body)
        seen.add(response.status)
        if response.status != 200:
            assert response.headers["x-amzn-ErrorType"] == response.error_type

    send()
    assert {200, 400} <= seen
