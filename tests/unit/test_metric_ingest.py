"""The pure parts of metric ingestion: datum → Lightsail metric, cumulative deltas, the AWS Query and CBOR readers,
gzip bounds, the CloudWatch error of a broken shape rule, and the ``metric_names`` setting."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import cbor2
import pytest

from lsnotify.awsjson import cbor, query
from lsnotify.awsjson.cloudwatch import cloudwatch_model, input_validator, query_path
from lsnotify.awsjson.encoding import decode_body
from lsnotify.config import ConfigError, load_settings
from lsnotify.errors import (
    InvalidParameterValueException,
    MissingRequiredParameterException,
    RequestEntityTooLargeException,
    SerializationException,
)
from lsnotify.service.alarms.datums import (
    BAD_RESOURCE_NAME,
    NO_RESOURCE,
    SEVERAL_RESOURCES,
    UNKNOWN_METRIC,
    Target,
    Unmapped,
    map_datum,
)
from lsnotify.service.alarms.host_metrics import CumulativeDeltas

NAMES = {"cpu_usage_active": "CPUUtilization", "requests": "RequestCount"}
PUT = cloudwatch_model().operation_model("PutMetricData").input_shape


@pytest.mark.parametrize(
    ("name", "dimensions", "expected"),
    [
        ("CPUUtilization", [("InstanceName", "web-1")], Target("Instance", "web-1", "CPUUtilization")),
        ("cpu_usage_active", [("cpu", "cpu-total"), ("InstanceName", "web-1")],
         Target("Instance", "web-1", "CPUUtilization")),
        ("requests", [("LoadBalancerName", "lb")], Target("LoadBalancer", "lb", "RequestCount")),
        ("CPUUtilization", [("RelationalDatabaseName", "db")], Target("RelationalDatabase", "db", "CPUUtilization")),
        ("RequestCount", [("InstanceName", "web-1")], Unmapped(UNKNOWN_METRIC, "RequestCount")),
        ("requests", [("InstanceName", "web-1")], Unmapped(UNKNOWN_METRIC, "requests")),
        ("CPUUtilization", [("host", "web-1")], Unmapped(NO_RESOURCE, "CPUUtilization")),
        ("CPUUtilization", [("InstanceName", "a"), ("LoadBalancerName", "b")],
         Unmapped(SEVERAL_RESOURCES, "CPUUtilization")),
        ("CPUUtilization", [("InstanceName", "web-1.example.com")], Unmapped(BAD_RESOURCE_NAME, "CPUUtilization")),
    ],
)  # fmt: skip
def test_a_datum_maps_by_its_resource_dimension_and_name(
    name: str, dimensions: list[tuple[str, str]], expected: Target | Unmapped
) -> None:
    assert map_datum(name, dimensions, NAMES) == expected


def test_cumulative_deltas_baseline_increase_reset_and_order() -> None:
    deltas = CumulativeDeltas()
    key = ("acct", "us-east-1", "web-1", "system.network.io", "direction=receive")
    assert deltas.delta(key, 100, 1_000, 500.0) is None  # the first point only sets the baseline
    assert deltas.delta(key, 100, 2_000, 800.0) == 300.0
    assert deltas.delta(key, 100, 2_000, 900.0) is None  # not newer than the last: ignored
    assert deltas.delta(key, 100, 3_000, 700.0) is None  # lower, same start: a reset seen late, a new baseline
    assert deltas.delta(key, 100, 4_000, 1000.0) == 300.0
    assert deltas.delta(key, 4_500, 5_000, 70.0) == 70.0  # restarted after the last point: all of it is new


def test_the_query_form_becomes_the_models_types_in_index_order() -> None:
    pairs = [f"MetricData.member.{i}.MetricName=m{i}&MetricData.member.{i}.Value={i}.5" for i in range(1, 12)]
    form = f"Action=PutMetricData&Version=2010-08-01&Namespace=N&{'&'.join(pairs)}&Unknown.a.b=1"
    action, tree = query.parse_form(form.encode(), PUT)
    params = query.from_tree(PUT, tree)
    assert action == "PutMetricData"
    assert [d["MetricName"] for d in params["MetricData"]] == [f"m{i}" for i in range(1, 12)]
    assert params["MetricData"][10]["Value"] == 11.5
    assert set(tree) == {"Namespace", "MetricData"}  # Version and unknown members are not kept
    _, tree = query.parse_form(b"Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.Value=abc", PUT)
    assert query.from_tree(PUT, tree)["MetricData"][0]["Value"] == "abc"  # left for the validator to name
    with pytest.raises(InvalidParameterValueException, match="has a value and also members"):
        query.parse_form(b"MetricData=x&MetricData.member.1.MetricName=m", PUT)
    for index in ("0", "one", "1234567", ""):
        with pytest.raises(InvalidParameterValueException, match="list index"):
            query.parse_form(f"MetricData.member.{index}.MetricName=m".encode(), PUT)
    deep = "MetricData.member.1.MetricName" + ".x" * 100_000
    assert query.parse_form(f"{deep}=1".encode(), PUT) == ("", {})


def test_cbor_timestamps_become_epoch_seconds() -> None:
    moment = datetime(2026, 11, 30, 1, 2, 3, tzinfo=UTC)
    body = cbor2.dumps({"Namespace": "N", "Unknown": 1, "MetricData": [{"MetricName": "m", "Timestamp": moment}]})
    params = cbor.parse_body(body, PUT)
    assert params == {"Namespace": "N", "MetricData": [{"MetricName": "m", "Timestamp": moment.timestamp()}]}
    with pytest.raises(SerializationException):
        cbor.parse_body(cbor2.dumps([1, 2]), PUT)
    with pytest.raises(SerializationException):
        cbor.parse_body(b"\xff\xff", PUT)


def test_gzip_is_decompressed_within_a_bound() -> None:
    assert decode_body(gzip.compress(b"x" * 1000), "gzip", 1000) == b"x" * 1000
    with pytest.raises(RequestEntityTooLargeException):
        decode_body(gzip.compress(b"x" * 1001), "gzip", 1000)
    with pytest.raises(SerializationException):
        decode_body(b"not gzip", "gzip", 1000)
    with pytest.raises(SerializationException):
        decode_body(gzip.compress(b"x" * 100)[:-4], "gzip", 1000)
    with pytest.raises(SerializationException, match="br"):
        decode_body(b"x", "br", 1000)


def test_a_broken_shape_rule_is_cloudwatchs_error_naming_the_parameter() -> None:
    assert query_path("MetricData[0].Dimensions[29].Name") == "MetricData.member.1.Dimensions.member.30.Name"
    validator = input_validator(["PutMetricData"])
    with pytest.raises(MissingRequiredParameterException, match=r"MetricData\.member\.2\.MetricName is required"):
        validator.validate("PutMetricData", {"Namespace": "N", "MetricData": [{"MetricName": "m"}, {"Value": 1.0}]})
    with pytest.raises(InvalidParameterValueException, match=r"MetricData\.member\.1\.Unit"):
        validator.validate("PutMetricData", {"Namespace": "N", "MetricData": [{"MetricName": "m", "Unit": "Feet"}]})


def test_metric_names_from_a_toml_table_or_a_variable(tmp_path: Path) -> None:
    config = tmp_path / "lsnotify.toml"
    config.write_text('port = 9000\n[metric_names]\ncpu_usage_active = "CPUUtilization"\n')
    assert load_settings(None, {}, config).metric_names == (("cpu_usage_active", "CPUUtilization"),)
    env = {"LSNOTIFY_METRIC_NAMES": "b=NetworkIn, a=CPUUtilization"}
    assert load_settings(None, env).metric_names == (("a", "CPUUtilization"), ("b", "NetworkIn"))
    with pytest.raises(ConfigError, match="metric_names"):
        load_settings(None, {"LSNOTIFY_METRIC_NAMES": "just-a-name"})
