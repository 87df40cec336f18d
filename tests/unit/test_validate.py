"""Input-shape validation against botocore's real Lightsail model, plus a small synthetic model for the shape
types the served operations do not use (map, long, timestamp, blob, recursion)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import ServiceModel, Shape
from botocore.validate import ParamValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from lsnotify.awsjson.model import lightsail_model
from lsnotify.awsjson.validate import InputValidator
from lsnotify.errors import InvalidInputException

MODEL = lightsail_model()
SERVED = (
    "CreateContactMethod",
    "GetContactMethods",
    "DeleteContactMethod",
    "SendContactMethodVerification",
    "GetOperation",
    "GetOperations",
    "GetOperationsForResource",
    "TagResource",
    "UntagResource",
    "PutAlarm",
    "GetAlarms",
    "DeleteAlarm",
    "TestAlarm",
)
VALIDATOR = InputValidator(MODEL, SERVED)
ARN = "arn:aws:lightsail:us-east-1:111122223333:ContactMethod/4a1b2c3d-0000-4000-8000-123456789abc"
TAGS = [{"key": "team", "value": "ops"}, {"key": "env", "value": "prod"}, {"key": "no-value"}]
OP_ID = "d5b8b2a8-3a4f-4c47-9a1a-1b5e6f7a8b9c"

# The first example of each operation sets every member of its input shape (test_first_example_is_complete),
# so the generated wrong-type cases below replace one member of an otherwise valid request.
VALID: dict[str, list[dict[str, Any]]] = {
    "CreateContactMethod": [
        {"protocol": "Email", "contactEndpoint": "alerts@example.com", "tags": TAGS},
        {"protocol": "SMS", "contactEndpoint": "+14255550100"},
        {"protocol": "Email", "contactEndpoint": "x" * 256, "tags": []},
    ],
    "GetContactMethods": [{"protocols": ["Email", "SMS"]}, {}, {"protocols": []}, {"protocols": None}],
    "DeleteContactMethod": [{"protocol": "SMS"}, {"protocol": "Email"}],
    "SendContactMethodVerification": [{"protocol": "Email"}],
    "GetOperation": [{"operationId": OP_ID}, {"operationId": " x "}],
    "GetOperations": [{"pageToken": "eyJuZXh0IjoxMH0="}, {}],
    "GetOperationsForResource": [{"resourceName": "Email-us-east-1", "pageToken": "abc"}, {"resourceName": "ab"}],
    "TagResource": [
        {"resourceName": "Email-us-east-1", "resourceArn": ARN, "tags": TAGS},
        {"resourceName": "my_alarm-1", "tags": []},
    ],
    "UntagResource": [
        {"resourceName": "Email-us-east-1", "resourceArn": ARN, "tagKeys": ["team", "env"]},
        {"resourceName": "x1", "tagKeys": []},
    ],
    "PutAlarm": [
        {
            "alarmName": "cpu-high",
            "metricName": "CPUUtilization",
            "monitoredResourceName": "web-1",
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "threshold": 90.5,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 2,
            "treatMissingData": "missing",
            "contactProtocols": ["Email", "SMS"],
            "notificationTriggers": ["ALARM", "OK", "INSUFFICIENT_DATA"],
            "notificationEnabled": True,
            "tags": TAGS,
        },
        {
            "alarmName": "lb-unhealthy",
            "metricName": "UnhealthyHostCount",
            "monitoredResourceName": "lb_1",
            "comparisonOperator": "GreaterThanThreshold",
            "threshold": 0,
            "evaluationPeriods": 2147483647,
            "notificationEnabled": False,
            "someFutureMember": {"ignored": True},
        },
    ],
    "GetAlarms": [{"alarmName": "cpu-high", "pageToken": "t", "monitoredResourceName": "web-1"}, {}],
    "DeleteAlarm": [{"alarmName": "cpu-high"}],
    "TestAlarm": [{"alarmName": "cpu-high", "state": "ALARM"}, {"alarmName": "cpu-high", "state": "OK"}],
}

SAMPLES: dict[str, Any] = {
    "string": "x",
    "int": 7,
    "float": 1.5,
    "bool": True,
    "null": None,
    "list": ["x"],
    "object": {"x": 1},
}
ACCEPTS = {
    "structure": {"object"},
    "map": {"object"},
    "list": {"list"},
    "string": {"string"},
    "integer": {"int"},
    "long": {"int"},
    "double": {"int", "float"},
    "float": {"int", "float"},
    "boolean": {"bool"},
}


def reject(operation: str, params: Any) -> str:
    with pytest.raises(InvalidInputException) as caught:
        VALIDATOR.validate(operation, params)
    return caught.value.message


def wrong_values(shape: Shape, required: bool) -> Iterator[tuple[str, Any]]:
    """Every sample JSON value of the wrong type for ``shape``; ``null`` only where the member is required."""
    for kind, value in SAMPLES.items():
        if kind not in ACCEPTS[shape.type_name] and (kind != "null" or required):
            yield kind, value


def wrong_type_cases() -> Iterator[Any]:
    """(operation, params, path) for each wrong type of each member, and one level down inside lists."""
    for operation in SERVED:
        shape = MODEL.operation_model(operation).input_shape
        base = VALID[operation][0]
        for name, member in shape.members.items():
            for kind, value in wrong_values(member, name in shape.required_members):
                yield pytest.param(operation, {**base, name: value}, name, id=f"{operation}.{name}={kind}")
            if member.type_name != "list":
                continue
            item = member.member
            for kind, value in wrong_values(item, True):  # a null list item is never valid
                params = {**base, name: [*base[name], value]}
                path = f"{name}[{len(base[name])}]"
                yield pytest.param(operation, params, path, id=f"{operation}.{path}={kind}")
            if item.type_name == "structure":
                for sub, sub_shape in item.members.items():
                    for kind, value in wrong_values(sub_shape, sub in item.required_members):
                        params = {**base, name: [*base[name], {**base[name][0], sub: value}]}
                        path = f"{name}[{len(base[name])}].{sub}"
                        yield pytest.param(operation, params, path, id=f"{operation}.{path}={kind}")


def test_every_served_operation_has_examples() -> None:
    assert set(VALID) == set(SERVED)


@pytest.mark.parametrize("operation", SERVED)
def test_first_example_is_complete(operation: str) -> None:
    shape = MODEL.operation_model(operation).input_shape
    first = VALID[operation][0]
    assert set(shape.members) <= set(first)
    for name, member in shape.members.items():
        if member.type_name == "list":
            assert first[name], f"{operation}.{name} needs an item for the nested cases"


@pytest.mark.parametrize(("operation", "params"), [(op, p) for op, examples in VALID.items() for p in examples])
def test_valid_inputs_pass(operation: str, params: dict[str, Any]) -> None:
    VALIDATOR.validate(operation, copy.deepcopy(params))


@pytest.mark.parametrize(("operation", "params", "path"), list(wrong_type_cases()))
def test_every_wrong_type_names_its_path(operation: str, params: dict[str, Any], path: str) -> None:
    message = reject(operation, params)
    assert message.startswith(f"{path}: "), message
    assert message.endswith(")") or message.endswith(": is required"), message


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("CreateContactMethod", {"protocol": "Email"}, "contactEndpoint: is required"),
        ("CreateContactMethod", {"protocol": "Email", "contactEndpoint": None}, "contactEndpoint: is required"),
        ("TagResource", {"resourceName": "ab"}, "tags: is required"),
        ("DeleteContactMethod", {}, "protocol: is required"),
        (
            "CreateContactMethod",
            {"protocol": "Email", "contactEndpoint": ""},
            "contactEndpoint: must be at least 1 character long (got 0)",
        ),
        (
            "CreateContactMethod",
            {"protocol": "Email", "contactEndpoint": "x" * 300},
            "contactEndpoint: must be at most 256 characters long (got 300)",
        ),
        (
            "CreateContactMethod",
            {"protocol": "Fax", "contactEndpoint": "a"},
            'protocol: must be one of Email, SMS (got "Fax")',
        ),
        ("DeleteContactMethod", {"protocol": "email"}, 'protocol: must be one of Email, SMS (got "email")'),
        ("SendContactMethodVerification", {"protocol": "SMS"}, 'protocol: must be one of Email (got "SMS")'),
        (
            "TestAlarm",
            {"alarmName": "a1", "state": "alarm"},
            'state: must be one of OK, ALARM, INSUFFICIENT_DATA (got "alarm")',
        ),
        (
            "GetOperationsForResource",
            {"resourceName": "custom gitlab"},
            r'resourceName: "custom gitlab" does not match the pattern \w[\w\-]*\w',
        ),
        ("DeleteAlarm", {"alarmName": "a"}, r'alarmName: "a" does not match the pattern \w[\w\-]*\w'),
        ("DeleteAlarm", {"alarmName": "-ab"}, r'alarmName: "-ab" does not match the pattern \w[\w\-]*\w'),
        ("DeleteAlarm", {"alarmName": "café"}, r'alarmName: "café" does not match the pattern \w[\w\-]*\w'),
        ("DeleteAlarm", {"alarmName": "ab\n"}, r'alarmName: "ab\n" does not match the pattern \w[\w\-]*\w'),
        ("GetOperation", {"operationId": "   "}, r'operationId: "   " does not match the pattern .*\S.*'),
        ("GetContactMethods", {"protocols": ["Email", 5]}, "protocols[1]: must be a string (got a number)"),
        ("GetContactMethods", {"protocols": ["Email", "Fax"]}, 'protocols[1]: must be one of Email, SMS (got "Fax")'),
        ("GetContactMethods", {"protocols": {"0": "Email"}}, "protocols: must be a list (got an object)"),
        ("UntagResource", {"resourceName": "ab", "tagKeys": "team"}, "tagKeys: must be a list (got a string)"),
        (
            "TagResource",
            {"resourceName": "ab", "tags": [TAGS[0], {"key": "a", "value": 7}]},
            "tags[1].value: must be a string (got a number)",
        ),
        ("TagResource", {"resourceName": "ab", "tags": [{"key": 1}]}, "tags[0].key: must be a string (got a number)"),
        ("TagResource", {"resourceName": "ab", "tags": [["key", "a"]]}, "tags[0]: must be a JSON object (got a list)"),
        ("GetContactMethods", [], "the request body: must be a JSON object (got a list)"),
        ("GetOperations", None, "the request body: must be a JSON object (got null)"),
        ("GetOperations", "{}", "the request body: must be a JSON object (got a string)"),
    ],
)
def test_rule_messages(operation: str, params: Any, message: str) -> None:
    assert reject(operation, params) == message


def alarm(**changes: Any) -> dict[str, Any]:
    return {**VALID["PutAlarm"][1], **changes}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (alarm(evaluationPeriods=2**31), "evaluationPeriods: must be at most 2147483647 (got 2147483648)"),
        (alarm(evaluationPeriods=-(2**31) - 1), "evaluationPeriods: must be at least -2147483648 (got -2147483649)"),
        (alarm(datapointsToAlarm=10**400), "datapointsToAlarm: must be at most 2147483647 (got a very large integer)"),
        (alarm(evaluationPeriods=1.5), "evaluationPeriods: must be an integer (got 1.5)"),
        (alarm(evaluationPeriods=2.0), "evaluationPeriods: must be an integer (got 2.0)"),
        (alarm(evaluationPeriods=True), "evaluationPeriods: must be an integer (got a boolean)"),
        (alarm(evaluationPeriods="3"), "evaluationPeriods: must be an integer (got a string)"),
        (alarm(threshold="90"), "threshold: must be a number (got a string)"),
        (alarm(threshold="NaN"), 'threshold: must be a finite number (got "NaN")'),
        (alarm(threshold="-Infinity"), 'threshold: must be a finite number (got "-Infinity")'),
        (alarm(threshold=float("inf")), "threshold: must be a finite number (got inf)"),
        (alarm(threshold=float("nan")), "threshold: must be a finite number (got nan)"),
        (alarm(notificationEnabled="true"), "notificationEnabled: must be a boolean (got a string)"),
        (alarm(notificationEnabled=1), "notificationEnabled: must be a boolean (got a number)"),
        (alarm(notificationTriggers=["ALARM", None]), "notificationTriggers[1]: must be a string (got null)"),
    ],
)
def test_number_and_boolean_rules(params: dict[str, Any], message: str) -> None:
    assert reject("PutAlarm", params) == message


def test_integer_bounds_are_inclusive() -> None:
    VALIDATOR.validate("PutAlarm", alarm(evaluationPeriods=-(2**31), datapointsToAlarm=2**31 - 1, threshold=-1e308))


def test_null_optional_members_and_unknown_members_are_ignored() -> None:
    VALIDATOR.validate("PutAlarm", alarm(datapointsToAlarm=None, tags=None, treatMissingData=None, newMember=[1]))
    VALIDATOR.validate("TagResource", {"resourceName": "ab", "tags": [{"key": None, "value": None, "extra": 1}]})


def test_first_error_follows_member_declaration_order() -> None:
    params = {"contactEndpoint": "", "protocol": "Fax"}  # contactEndpoint comes first here, second in the model
    assert reject("CreateContactMethod", params).startswith("protocol: ")


def test_long_values_are_truncated_and_json_quoted() -> None:
    message = reject("DeleteAlarm", {"alarmName": "x" * 200 + " y"})
    assert message == rf'alarmName: "{"x" * 64}…" does not match the pattern \w[\w\-]*\w'
    too_long = reject("DeleteAlarm", {"alarmName": "x" * (1 << 20) + " y"})
    assert too_long == f"alarmName: must be at most 255 characters long (got {(1 << 20) + 2})"
    quoted = reject("DeleteAlarm", {"alarmName": 'a"b\tc'})
    assert quoted.startswith(r'alarmName: "a\"b\tc" does not match')


def string_members() -> Iterator[Any]:
    """(operation, path, params) for each string member of each served operation's first example (inside lists and
    their structures too), set to a value holding U+0000."""
    for operation in SERVED:
        base = VALID[operation][0]
        for name, member in MODEL.operation_model(operation).input_shape.members.items():
            if member.type_name == "string":
                yield pytest.param(operation, name, {**base, name: "ab\x00cd"}, id=f"{operation}.{name}")
            elif member.type_name == "list" and member.member.type_name == "string":
                yield pytest.param(operation, f"{name}[0]", {**base, name: ["ab\x00cd"]}, id=f"{operation}.{name}[0]")
            elif member.type_name == "list" and member.member.type_name == "structure":
                for sub, sub_shape in member.member.members.items():
                    if sub_shape.type_name == "string":
                        params = {**base, name: [{**base[name][0], sub: "ab\x00cd"}]}
                        yield pytest.param(operation, f"{name}[0].{sub}", params, id=f"{operation}.{name}[0].{sub}")


@pytest.mark.parametrize(("operation", "path", "params"), list(string_members()))
def test_no_string_may_hold_a_nul(operation: str, path: str, params: dict[str, Any]) -> None:
    """PostgreSQL's text cannot store U+0000: GetOperation with one in operationId was a 500 there."""
    message = reject(operation, params)
    assert message.startswith(f"{path}: "), message
    assert "must not contain the control character U+0000 (found at position 2)" in message or (
        "must be one of" in message or "does not match the pattern" in message
    ), message


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "GetOperation",
            {"operationId": "a\x00b"},
            "operationId: must not contain the control character U+0000 (found at position 1)",
        ),
        (
            "TagResource",
            {"resourceName": "ab", "resourceArn": ARN.replace("arn:aws:", "arn:aws\x00:"), "tags": []},
            "resourceArn: must not contain the control character U+0000 (found at position 7)",
        ),
        (
            "UntagResource",
            {"resourceName": "ab", "tagKeys": ["team", "a\x00"]},
            "tagKeys[1]: must not contain the control character U+0000 (found at position 1)",
        ),
    ],
)
def test_a_nul_is_refused_where_the_pattern_allows_it(operation: str, params: dict[str, Any], message: str) -> None:
    assert reject(operation, params) == message


def test_sensitive_values_are_never_echoed() -> None:
    validator = InputValidator(MODEL, ["SetupInstanceHttps"])
    params = {
        "instanceName": "web-1",
        "emailAddress": "not an email address",
        "domainNames": ["example.com"],
        "certificateProvider": "LetsEncrypt",
    }
    with pytest.raises(InvalidInputException) as caught:
        validator.validate("SetupInstanceHttps", params)
    assert caught.value.message.startswith("emailAddress: the value does not match the pattern ")
    assert "not an email" not in caught.value.message


def test_list_length_rules_from_the_model() -> None:
    validator = InputValidator(MODEL, ["SetupInstanceHttps"])  # SetupDomainNameList: min 1, max 10
    base = {"instanceName": "web-1", "emailAddress": "ops@example.com", "certificateProvider": "LetsEncrypt"}
    for names, message in [
        ([], "domainNames: must have at least 1 item (got 0)"),
        ([f"d{i}.example.com" for i in range(11)], "domainNames: must have at most 10 items (got 11)"),
    ]:
        with pytest.raises(InvalidInputException) as caught:
            validator.validate("SetupInstanceHttps", {**base, "domainNames": names})
        assert caught.value.message == message


def test_the_whole_model_compiles() -> None:
    validator = InputValidator(MODEL, MODEL.operation_names)
    validator.validate("GetInstances", {})


def test_unknown_operation_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        VALIDATOR.validate("CreateInstances", {})


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "CreateContactMethod",
            {"protocol": "Email", "contactEndpoint": "x" * 300},
            "contactEndpoint: must be at most 256 characters long (got 300)",
        ),
        ("DeleteContactMethod", {"protocol": "Fax"}, 'protocol: must be one of Email, SMS (got "Fax")'),
        (
            "DeleteAlarm",
            {"alarmName": "custom gitlab"},
            r'alarmName: "custom gitlab" does not match the pattern \w[\w\-]*\w',
        ),
    ],
)
def test_checks_what_botocores_param_validator_skips(operation: str, params: dict[str, Any], message: str) -> None:
    report = ParamValidator().validate(params, MODEL.operation_model(operation).input_shape)
    assert not report.has_errors()
    assert reject(operation, params) == message


SYNTHETIC = ServiceModel(
    {
        "metadata": {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "T", "apiVersion": "2020-01-01"},
        "operations": {
            "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "Node"}},
            "NoInput": {"name": "NoInput", "http": {"method": "POST", "requestUri": "/"}},
        },
        "shapes": {
            "Node": {
                "type": "structure",
                "required": ["id"],
                "members": {
                    "id": {"shape": "Id"},
                    "children": {"shape": "Nodes"},
                    "labels": {"shape": "Labels"},
                    "size": {"shape": "Size"},
                    "ratio": {"shape": "Ratio"},
                    "at": {"shape": "When"},
                    "data": {"shape": "Data"},
                },
            },
            "Id": {"type": "string"},
            "Nodes": {"type": "list", "member": {"shape": "Node"}},
            "Labels": {"type": "map", "key": {"shape": "Label"}, "value": {"shape": "Id"}, "max": 2},
            "Label": {"type": "string", "pattern": "[a-z]+", "max": 5},
            "Size": {"type": "long", "min": 0},
            "Ratio": {"type": "double", "min": 0, "max": 1},
            "When": {"type": "timestamp"},
            "Data": {"type": "blob", "max": 3},
        },
    }
)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"id": "a", "children": [{"id": "b", "children": [{}]}]}, "children[0].children[0].id: is required"),
        ({"id": "a", "labels": {"ok": 1}}, 'labels["ok"]: must be a string (got a number)'),
        ({"id": "a", "labels": {"Bad": "x"}}, 'labels: key "Bad" does not match the pattern [a-z]+'),
        ({"id": "a", "labels": {"toolong": "x"}}, "labels: key must be at most 5 characters long (got 7)"),
        ({"id": "a", "labels": {"a": "", "b": "", "c": ""}}, "labels: must have at most 2 entries (got 3)"),
        ({"id": "a", "labels": []}, "labels: must be a JSON object (got a list)"),
        ({"id": "a", "size": 2**63}, "size: must be at most 9223372036854775807 (got 9223372036854775808)"),
        ({"id": "a", "size": -1}, "size: must be at least 0 (got -1)"),
        ({"id": "a", "ratio": 1.5}, "ratio: must be at most 1 (got 1.5)"),
        ({"id": "a", "at": "yesterday-ish"}, 'at: "yesterday-ish" is not a timestamp'),
        ({"id": "a", "at": True}, "at: must be a timestamp in epoch seconds (got a boolean)"),
        ({"id": "a", "at": float("inf")}, "at: must be a finite number (got inf)"),
        ({"id": "a", "data": "not base64!"}, "data: must be a base64-encoded string"),
        ({"id": "a", "data": "AAAAAA=="}, "data: must decode to at most 3 bytes (got 4)"),
        ({"id": "a", "data": 5}, "data: must be a base64-encoded string (got a number)"),
    ],
)
def test_other_shape_types(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputException) as caught:
        InputValidator(SYNTHETIC, ["Put"]).validate("Put", params)
    assert caught.value.message == message


def test_other_shape_types_accept_valid_values() -> None:
    validator = InputValidator(SYNTHETIC, ["Put", "NoInput"])
    valid = {
        "id": "a",
        "children": [{"id": "b", "children": [{"id": "c"}]}],
        "labels": {"ab": "x", "c": "y"},
        "size": 2**63 - 1,
        "ratio": 0,
        "at": 1571679872.404,
        "data": "AAA=",
    }
    validator.validate("Put", valid)
    validator.validate("Put", {"id": "a", "at": "2019-10-21T17:44:32Z"})
    validator.validate("NoInput", {"anything": 1})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
# Keys the served shapes use at any depth, so generated objects reach past the top-level type checks.
MEMBER_NAMES = sorted(
    {name for op in SERVED for name in MODEL.operation_model(op).input_shape.members} | {"key", "value"}
)
JSON_WITH_MEMBERS = st.recursive(
    JSON,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(MEMBER_NAMES), children | st.sampled_from(["Email", "SMS", "ab", "OK"]))
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(operation=st.sampled_from(SERVED), params=JSON | JSON_WITH_MEMBERS)
def test_arbitrary_json_only_ever_raises_invalid_input(operation: str, params: Any) -> None:
    try:
        VALIDATOR.validate(operation, params)
    except InvalidInputException as error:
        path, _, rule = error.message.partition(": ")
        assert path and rule, error.message
