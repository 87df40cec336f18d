"""Hostile input, generated from the models: every served operation of botocore's Lightsail model and of lsnotify's
own model, every member of its input (and of the structures and lists inside it), sent signed by a valid key to the
real app in-process (tests/signed_app.py).

For each member, Hypothesis picks a value of a hostile family for the member's type — strings far past their limit
that would feed the patterns (``a…a\\n``), control characters, lone surrogates, numbers past their range or not
finite, extreme timestamps, long lists, deep nesting, wrong types — and puts it into an otherwise valid request (a
request built from the model, which the validator accepts). The whole body is attacked too: not JSON, not UTF-8, not
an object, nested past the parser's limit. Each request must be

- answered 4xx in the modeled shape (``__type`` and ``message`` in the body, ``x-amzn-ErrorType`` in the headers),
- without any change to what is stored (every row of every table, before and after), and
- within ``FACTOR`` times a normal request measured in the same run (with a floor for scheduling noise): a
  complexity check, not a benchmark — what backtracks or parses without bound takes thousands of times longer.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from botocore.model import ServiceModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsnotify.awsjson.lsnotify_model import lsnotify_model
from lsnotify.awsjson.model import lightsail_model
from lsnotify.awsjson.validate import COLLECTION_CAP, STRING_CAP, InputValidator, string_cap
from lsnotify.service.api import LSNOTIFY_OPERATIONS, OPERATIONS
from postgres_server import create_database, database_url, drop_database, fresh_name, run_sync, server_url
from signed_app import Response, SignedApp, running

FACTOR = 50
FLOOR = 0.05  # seconds: below this, a slow answer is the shared machine's scheduling, not the request's work
ATTEMPTS = 5  # a request over the bound is timed again (the machine may be busy); the fastest attempt counts
BIG = 900_000  # characters: the largest strings, within the 1 MiB body limit
MARK = "@@hostile@@"
NOW = time.time()

SERVICES = {
    "Lightsail_20161128": (lightsail_model(), sorted(OPERATIONS)),
    "LsNotify_20261127": (lsnotify_model(), sorted(LSNOTIFY_OPERATIONS)),
}
VALIDATORS = {prefix: InputValidator(model, names) for prefix, (model, names) in SERVICES.items()}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Member:
    prefix: str
    operation: str
    path: Path_  # names of structure members and 0 for the item of a list
    shape: Shape
    required: bool

    @property
    def name(self) -> str:
        return next(str(part) for part in reversed(self.path) if isinstance(part, str))

    def __str__(self) -> str:
        return f"{self.operation}." + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)[1:]


def members(prefix: str, operation: str, shape: Shape, path: Path_ = ()) -> Iterator[Member]:
    """Every member of ``shape``, depth first; a list's item is member ``0`` of the list."""
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield Member(prefix, operation, (*path, name), member, name in shape.required_members)
            yield from members(prefix, operation, member, (*path, name))
    elif shape.type_name == "list":
        yield Member(prefix, operation, (*path, 0), shape.member, True)
        yield from members(prefix, operation, shape.member, (*path, 0))


def input_shape(prefix: str, operation: str) -> Shape:
    model: ServiceModel = SERVICES[prefix][0]
    shape = model.operation_model(operation).input_shape
    assert shape is not None
    return shape


MEMBERS = [
    member
    for prefix, (_, names) in SERVICES.items()
    for operation in names
    for member in members(prefix, operation, input_shape(prefix, operation))
]


# --------------------------------------------------------------------------------------------------------------------
# Valid values, from the model


@st.composite
def valid(draw: st.DrawFn, shape: Shape, member: str = "") -> Any:
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        return {name: draw(valid(sub, name)) for name, sub in shape.members.items()}
    if kind == "list":
        return [draw(valid(shape.member, member))]
    if kind == "string":
        if "enum" in meta:
            return draw(st.sampled_from(meta["enum"]))
        high = meta.get("max", string_cap(member))
        if "pattern" in meta:
            strings = st.from_regex(re.compile(meta["pattern"], re.ASCII), fullmatch=True)
            return draw(strings.filter(lambda text: meta.get("min", 0) <= len(text) <= high and "\x00" not in text))
        return draw(
            st.text(
                st.characters(codec="ascii", categories=["L", "N"]),
                min_size=max(meta.get("min", 0), 1),
                max_size=min(high, 20),
            )
        )
    if kind in ("integer", "long"):
        low = max(meta.get("min", 1), 1)
        return draw(st.integers(low, min(meta.get("max", low + 2), low + 2)))
    if kind in ("double", "float"):
        return draw(st.floats(0, 100))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "timestamp":
        return NOW - draw(st.integers(0, 3600))
    raise AssertionError(f"no valid value for {kind}")


# --------------------------------------------------------------------------------------------------------------------
# Hostile values, as raw JSON text (some cannot be written by a JSON encoder: lone surrogates, 1e400, NaN)


def raw(value: Any) -> str:
    return json.dumps(value)


def nested(depth: int, inner: str = "1", open_: str = "[", close: str = "]") -> str:
    return open_ * depth + inner + close * depth


CONTROLS = [chr(code) for code in (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F)]  # not whitespace to any engine
WRONG_TYPES = [raw(5), raw(-1.5), raw(True), raw("x"), raw([]), raw({}), raw([["x"]])]


def string_limit(member: Member) -> int:
    return int(member.shape.metadata.get("max", string_cap(member.name)))


@st.composite
def hostile_string(draw: st.DrawFn, member: Member) -> str:
    limit = string_limit(member)
    size = draw(st.sampled_from([limit + 1, 65_536, BIG]))
    tail = draw(st.sampled_from(["\n", " ", "!", "\n\n", ""]))
    family = draw(st.sampled_from(["long", "long", "control", "surrogate", "wrong"]))
    if family == "long":
        return raw(draw(st.sampled_from(["a", "a-", "ab", " ", "\u00e9"])) * size + tail)
    if family == "control":
        return raw("ab" + draw(st.sampled_from(CONTROLS)) + "cd")
    if family == "surrogate":
        return '"ab' + draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud800\\ud800"])) + 'cd"'
    return draw(st.sampled_from([w for w in WRONG_TYPES if w != raw("x")]))


INTEGERS = [raw(2**31), raw(-(2**31) - 1), raw(2**63 + 1), raw(10**30), raw(-1), raw(0), raw(1.5), "1e400"]
INTEGERS += [raw("1"), raw(True), raw([1]), raw({})]
DOUBLES = ['"NaN"', '"Infinity"', '"-Infinity"', "NaN", "Infinity", "1e400", "-1e999", raw("1"), raw(True), raw([1.0])]
BOOLEANS = [raw("true"), raw(1), raw(0), raw([]), raw({}), "tru"]
TIMESTAMPS = [
    raw("0001-01-01"),
    raw("0001-01-01T00:00:00+01:00"),
    raw("9999-12-31T23:59:60Z"),
    raw("2026-02-30T00:00:00Z"),
    raw("+275760-09-13T00:00:00Z"),
    raw("1" * 1000),
    raw("2026-11-30T12:00:00Z" + " " * 10_000),
    raw("Mon, 30 Nov 2026 12:00:00 GMT"),
    raw(-1),
    raw(1e300),
    raw(-1e300),
    raw(253402300800),
    raw(2**64),
    "1e400",
    raw(True),
    raw([NOW]),
    raw({"seconds": NOW}),
]


@st.composite
def hostile_list(draw: st.DrawFn, member: Member, item: Any) -> str:
    high = int(member.shape.metadata.get("max", COLLECTION_CAP))
    family = draw(st.sampled_from(["long", "deep", "null-item", "wrong"]))
    if family == "long":
        return raw([item] * draw(st.sampled_from([high + 1, 20_000])))
    if family == "deep":
        return nested(draw(st.sampled_from([50, 1000, 5000])))
    if family == "null-item":
        return raw([item, None])
    return draw(st.sampled_from([raw(5), raw("x"), raw({}), raw(True)]))


@st.composite
def hostile_structure(draw: st.DrawFn, member: Member) -> str:
    return draw(st.sampled_from([raw(5), raw("x"), raw([]), raw(True), nested(2000, "{}"), raw({"": None})]))


# Values sent to every member of their type (test_each_fixed_hostile_value…), besides those Hypothesis draws.
FIXED = {
    "string": [raw("ab\x00cd")],
    "integer": INTEGERS,
    "long": INTEGERS,
    "double": DOUBLES,
    "float": DOUBLES,
    "boolean": BOOLEANS,
    "timestamp": TIMESTAMPS,
}


def hostile(member: Member, item: Any) -> st.SearchStrategy[str]:
    kind = member.shape.type_name
    if kind == "string":
        return hostile_string(member)
    if kind in FIXED:
        return st.sampled_from(FIXED[kind])
    if kind == "list":
        return hostile_list(member, item)
    return hostile_structure(member)


def body_with(base: dict[str, Any], path: Path_, value: str) -> bytes:
    """``base`` as JSON with the member at ``path`` replaced by the raw JSON text ``value``."""
    params = json.loads(json.dumps(base))
    container: Any = params
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = MARK
    text = json.dumps(params)
    assert text.count(f'"{MARK}"') == 1
    return text.replace(f'"{MARK}"', value).encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------------------------------------------------
# The app, some data in it, and what a normal request costs


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedApp]:
    """The app on each backend: PostgreSQL's ``text`` refuses what SQLite stores (U+0000 once gave a 500 there)."""
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    if request.param == "sqlite":
        for app in running(data_dir):
            seed(app)
            yield app
        return
    server_url()  # skips without a PostgreSQL server (scripts/test-postgres, as `make test` runs the suite)
    name = fresh_name("hostile")
    run_sync(create_database(name))
    try:
        for app in running(data_dir, database_url=database_url(name)):
            seed(app)
            yield app
    finally:
        run_sync(drop_database(name))


def seed(app: SignedApp) -> None:
    """Something of each kind, so that a request that changed or removed it would show."""
    calls: list[tuple[str, dict[str, Any]]] = [
        ("CreateContactMethod", {"protocol": "Email", "contactEndpoint": "ops@example.com"}),
        ("CreateContactMethod", {"protocol": "SMS", "contactEndpoint": "+14255550100"}),
        (
            "LsNotify_20261127.PutMetricData",
            {
                "resourceName": "web-1",
                "resourceType": "Instance",
                "metricName": "CPUUtilization",
                "datapoints": [{"timestamp": NOW - 60, "value": 42.0}],
            },
        ),
        (
            "PutAlarm",
            {
                "alarmName": "cpu-high",
                "metricName": "CPUUtilization",
                "monitoredResourceName": "web-1",
                "comparisonOperator": "GreaterThanThreshold",
                "threshold": 90.0,
                "evaluationPeriods": 1,
                "contactProtocols": ["Email"],
                "tags": [{"key": "team", "value": "ops"}],
            },
        ),
    ]
    for target, params in calls:
        response = app.call(target, params)
        assert response.status == 200, (target, response.body)


@pytest.fixture(scope="module")
def normal_seconds(app: SignedApp) -> float:
    """The median time of a normal signed request (GetAlarms), in this process, on this machine, now."""
    for _ in range(3):  # warm up
        app.call("GetAlarms", {})
    return statistics.median(app.call("GetAlarms", {}).seconds for _ in range(15))


def bound(normal_seconds: float) -> float:
    return max(FACTOR * normal_seconds, FLOOR)


def assert_refused_harmlessly(app: SignedApp, normal_seconds: float, target: str, body: bytes) -> Response:
    before = app.snapshot()
    response = app.send(target, body)
    seconds = response.seconds
    for _ in range(ATTEMPTS - 1):
        if seconds <= bound(normal_seconds):
            break
        seconds = min(seconds, app.send(target, body).seconds)
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    error = response.json()
    assert isinstance(error.get("__type"), str) and error["__type"], error
    assert isinstance(error.get("message"), str) and error["message"], error
    assert response.headers["x-amzn-errortype"] == error["__type"]
    assert app.snapshot() == before, f"{target} changed the store: {error}"
    assert seconds <= bound(normal_seconds), (
        f"{target} took {seconds * 1000:.1f} ms, more than {FACTOR}x a normal request "
        f"({normal_seconds * 1000:.2f} ms): {error['message'][:200]}"
    )
    return response


# --------------------------------------------------------------------------------------------------------------------
# The tests


def test_every_served_operation_and_member_is_covered() -> None:
    covered = {(member.prefix, member.operation) for member in MEMBERS}
    served = {(prefix, name) for prefix, (_, names) in SERVICES.items() for name in names}
    assert covered == served
    assert len(MEMBERS) >= 40
    assert {member.shape.type_name for member in MEMBERS} >= {
        "string", "integer", "double", "boolean", "timestamp", "list", "structure"
    }  # fmt: skip


@pytest.mark.parametrize("member", MEMBERS, ids=str)
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_hostile_member_is_refused_harmlessly(
    app: SignedApp, normal_seconds: float, member: Member, data: st.DataObject
) -> None:
    shape = input_shape(member.prefix, member.operation)
    base = data.draw(valid(shape), label="base")
    VALIDATORS[member.prefix].validate(member.operation, base)  # the member's value is the only thing wrong
    item = base
    for part in member.path:
        item = item[part]
    value = data.draw(hostile(member, item[0] if isinstance(item, list) else item), label="hostile")
    body = body_with(base, member.path, value)
    assert_refused_harmlessly(app, normal_seconds, f"{member.prefix}.{member.operation}", body)


FIXED_CASES = [
    # ids are the same in every process (pytest-xdist compares them), so they name the case, not the value: some
    # values hold the current time
    pytest.param(member, value, id=f"{member}#{index}")
    for member in MEMBERS
    for index, value in enumerate(FIXED.get(member.shape.type_name, ()))
]


@pytest.mark.parametrize(("member", "value"), FIXED_CASES)
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_fixed_hostile_value_is_refused_harmlessly(
    app: SignedApp, normal_seconds: float, member: Member, value: str, data: st.DataObject
) -> None:
    base = data.draw(valid(input_shape(member.prefix, member.operation)), label="base")
    body = body_with(base, member.path, value)
    assert_refused_harmlessly(app, normal_seconds, f"{member.prefix}.{member.operation}", body)


SERVED = [f"{prefix}.{name}" for prefix, (_, names) in SERVICES.items() for name in names]
NOT_JSON_OBJECTS = st.one_of(
    st.sampled_from(
        [
            b"{",
            b'{"protocol": "Email"',
            b"[]",
            b'"{}"',
            b"null",
            b"1e400",
            b"NaN",
            b'{"a": NaN}',
            b'{"a": 1,}',
            b"{'protocol': 'Email'}",
            b'{"protocol": "Em\xffail"}',
            b'{"protocol": "\xed\xa0\x80"}',
            b'\xef\xbb\xbf{"protocol": "Email"}',
            '{"protocol": "Email"}'.encode("utf-16"),
            b'{"a": "\\ud800"}',
            b"\x00" * 100,
            b"\xff" * 100_000,
            nested(2000, "{}").encode(),
            nested(100_000, "").encode(),
            (b'{"a":' * 5000) + b"1" + (b"}" * 5000),
            b'{"a": ' + b"1" * 100_000 + b"}",
        ]
    ),
    st.binary(min_size=1, max_size=64).filter(lambda body: not _is_json_object(body)),
)


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(orjson.loads(body), dict)
    except orjson.JSONDecodeError:
        return not body.strip()  # an empty body counts as {}


@pytest.mark.parametrize("target", SERVED)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=NOT_JSON_OBJECTS)
def test_a_body_that_is_not_a_json_object_is_refused_harmlessly(
    app: SignedApp, normal_seconds: float, target: str, body: bytes
) -> None:
    response = assert_refused_harmlessly(app, normal_seconds, target, body)
    assert response.json()["__type"] in {"SerializationException", "InvalidInputException"}


def test_a_64_kib_non_empty_string_is_refused_fast(app: SignedApp, normal_seconds: float) -> None:
    """The request that held the event loop for 14 s."""
    body = orjson.dumps({"operationId": "a" * 65_536 + "\n"})
    response = assert_refused_harmlessly(app, normal_seconds, "GetOperation", body)
    assert response.json()["message"] == "operationId: must be at most 128 characters long (got 65537)"


def test_an_alarm_name_is_at_most_255_characters(app: SignedApp, normal_seconds: float) -> None:
    """Lightsail's resource-name rule: 2 to 255 characters of ``\\w[\\w\\-]*\\w``; 50,000 were once accepted."""
    alarm = {
        "metricName": "CPUUtilization",
        "monitoredResourceName": "web-1",
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 90.0,
        "evaluationPeriods": 1,
    }
    for length in (256, 50_000):
        body = orjson.dumps({"alarmName": "a" * length, **alarm})
        response = assert_refused_harmlessly(app, normal_seconds, "PutAlarm", body)
        assert response.json()["__type"] == "InvalidInputException"
        assert response.json()["message"] == f"alarmName: must be at most 255 characters long (got {length})"
    longest = "a" * 254 + "1"
    assert app.call("PutAlarm", {"alarmName": longest, **alarm}).status == 200
    assert app.call("DeleteAlarm", {"alarmName": longest}).status == 200


def test_the_bound_is_meaningful(normal_seconds: float) -> None:
    """A request is fast here, so the bound is close to its floor; this is what the suite compares with."""
    assert normal_seconds < FLOOR / FACTOR * 10, normal_seconds
    assert STRING_CAP <= BIG
