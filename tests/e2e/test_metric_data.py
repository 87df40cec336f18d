"""Reading metrics back over the wire: Get{Instance,LoadBalancer,RelationalDatabase}MetricData through boto3 and the
AWS CLI against a running server, with exact statistics of known datapoints at known times, and every refusal."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from alarm_helpers import aws_cli_env
from harness import Account, ServerProcess, error_of, running_server

ALL = ["Minimum", "Maximum", "Sum", "Average", "SampleCount"]
T = int(time.time() // 3600) * 3600 - 3 * 3600  # an hour's start, three to four hours ago
# Known datapoints: (seconds after T, value).
POINTS = [(5, 10.0), (30, 20.0), (65, 30.0), (250, 40.0), (300, 5.0), (3660, 100.0)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("metric-data"), env={"LSNOTIFY_KEY_CACHE_TTL": "0"})


@pytest.fixture(scope="module")
def account(server: ServerProcess) -> Account:
    account = server.new_account()
    datums = [
        {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceName", "Value": "web-1"}],
         "Timestamp": T + offset, "Value": value, "Unit": "Percent"}
        for offset, value in POINTS
    ] + [
        {"MetricName": "RequestCount", "Dimensions": [{"Name": "LoadBalancerName", "Value": "lb-1"}],
         "Timestamp": T + 10, "Value": 7.0},
        {"MetricName": "DatabaseConnections", "Dimensions": [{"Name": "RelationalDatabaseName", "Value": "db-1"}],
         "Timestamp": T + 10, "StatisticValues": {"SampleCount": 3, "Sum": 12, "Minimum": 2, "Maximum": 6}},
    ]  # fmt: skip
    server.client(account, service="cloudwatch").put_metric_data(Namespace="Test", MetricData=datums)
    return account


@pytest.fixture
def lightsail(server: ServerProcess, account: Account) -> Any:
    return server.client(account)


def at(offset: int) -> datetime:
    return datetime.fromtimestamp(T + offset, UTC)


def point(offset: int, count: int, total: float, low: float, high: float, unit: str = "Percent") -> dict[str, Any]:
    return {"timestamp": at(offset), "sampleCount": count, "sum": total, "minimum": low, "maximum": high,
            "average": total / count, "unit": unit}  # fmt: skip


def cpu(lightsail: Any, period: int, start: int = 0, end: int = 7200, **changes: Any) -> list[dict[str, Any]]:
    request = {"instanceName": "web-1", "metricName": "CPUUtilization", "period": period, "startTime": at(start),
               "endTime": at(end), "unit": "Percent", "statistics": ALL, **changes}  # fmt: skip
    response = lightsail.get_instance_metric_data(**request)
    assert response["metricName"] == request["metricName"]
    data: list[dict[str, Any]] = response["metricData"]
    return data


def test_one_minute_periods_give_each_minute_exactly(lightsail: Any) -> None:
    assert cpu(lightsail, 60) == [
        point(0, 2, 30.0, 10.0, 20.0),
        point(60, 1, 30.0, 30.0, 30.0),
        point(240, 1, 40.0, 40.0, 40.0),
        point(300, 1, 5.0, 5.0, 5.0),
        point(3660, 1, 100.0, 100.0, 100.0),
    ]


def test_five_minute_and_hour_periods_add_the_minutes_up(lightsail: Any) -> None:
    assert cpu(lightsail, 300) == [
        point(0, 4, 100.0, 10.0, 40.0),
        point(300, 1, 5.0, 5.0, 5.0),
        point(3600, 1, 100.0, 100.0, 100.0),
    ]
    assert cpu(lightsail, 3600) == [point(0, 5, 105.0, 5.0, 40.0), point(3600, 1, 100.0, 100.0, 100.0)]
    assert cpu(lightsail, 86400) == [point(0, 6, 205.0, 5.0, 100.0)]


def test_periods_start_at_the_start_time_and_the_end_is_excluded(lightsail: Any) -> None:
    assert cpu(lightsail, 120, start=60, end=3660) == [
        point(60, 1, 30.0, 30.0, 30.0),
        point(180, 1, 40.0, 40.0, 40.0),  # minute 4
        point(300, 1, 5.0, 5.0, 5.0),
    ]
    # A start inside a minute is rounded down to it.
    assert cpu(lightsail, 86400, start=45, end=7200) == [point(0, 6, 205.0, 5.0, 100.0)]


def test_only_the_requested_statistics_are_returned(lightsail: Any) -> None:
    assert cpu(lightsail, 3600, statistics=["Maximum", "SampleCount"]) == [
        {"timestamp": at(0), "maximum": 40.0, "sampleCount": 5.0, "unit": "Percent"},
        {"timestamp": at(3600), "maximum": 100.0, "sampleCount": 1.0, "unit": "Percent"},
    ]
    assert cpu(lightsail, 3600, unit="Bytes") == []  # data is kept in the metric's own unit
    assert cpu(lightsail, 60, start=-3600, end=0) == []


def test_load_balancer_and_database_metrics(lightsail: Any) -> None:
    common = {"period": 300, "startTime": at(0), "endTime": at(600), "statistics": ALL}
    lb = lightsail.get_load_balancer_metric_data(loadBalancerName="lb-1", metricName="RequestCount", unit="Count",
                                                 **common)  # fmt: skip
    assert lb["metricData"] == [point(0, 1, 7.0, 7.0, 7.0, unit="Count")]
    db = lightsail.get_relational_database_metric_data(
        relationalDatabaseName="db-1", metricName="DatabaseConnections", unit="Count", **common
    )
    assert db["metricData"] == [point(0, 3, 12.0, 2.0, 6.0, unit="Count")]


@pytest.mark.parametrize(
    ("changes", "code", "fragment"),
    [
        ({"instanceName": "nobody"}, "NotFoundException", "no Instance named"),
        ({"instanceName": "lb-1"}, "NotFoundException", "no Instance named"),
        ({"metricName": "MetadataNoToken"}, "InvalidInputException", "is not a metric of Instance"),
        ({"startTime": at(600), "endTime": at(600)}, "InvalidInputException", "startTime: must be before endTime"),
        ({"period": 90}, "InvalidInputException", "whole number of minutes"),
        ({"startTime": at(-2 * 86400)}, "InvalidInputException", "at most 1440 datapoints"),
        ({"startTime": at(-20 * 86400), "period": 120}, "InvalidInputException", "multiple of 300"),
        ({"statistics": []}, "InvalidInputException", "statistics"),
        ({"statistics": ["p99"]}, "InvalidInputException", "statistics"),
    ],
)
def test_refusals(lightsail: Any, changes: dict[str, Any], code: str, fragment: str) -> None:
    request = {"instanceName": "web-1", "metricName": "CPUUtilization", "period": 60, "startTime": at(0),
               "endTime": at(600), "unit": "Percent", "statistics": ALL, **changes}  # fmt: skip
    response = error_of(lightsail.get_instance_metric_data, **request)
    assert response["Error"]["Code"] == code and fragment in response["Error"]["Message"], response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def aws(server: ServerProcess, account: Account, *args: str) -> subprocess.CompletedProcess[str]:
    env = aws_cli_env(account)
    command = [
        sys.executable,
        "-m",
        "awscli",
        "lightsail",
        *args,
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_the_aws_cli_prints_the_datapoints_as_a_table(server: ServerProcess, account: Account) -> None:
    result = aws(
        server, account, "get-instance-metric-data", "--instance-name", "web-1", "--metric-name", "CPUUtilization",
        "--period", "300", "--start-time", str(T), "--end-time", str(T + 7200), "--unit", "Percent",
        "--statistics", "Average", "Maximum", "SampleCount", "--output", "table",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "GetInstanceMetricData" in lines[1] and any("CPUUtilization" in line for line in lines)
    header = next(line for line in lines if "average" in line)
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "average",
        "maximum",
        "sampleCount",
        "timestamp",
        "unit",
    ]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines if "Percent" in line]
    assert rows == [  # the CLI prints timestamps as the wire has them: epoch seconds
        ["25.0", "40.0", "4.0", str(T), "Percent"],
        ["5.0", "5.0", "1.0", str(T + 300), "Percent"],
        ["100.0", "100.0", "1.0", str(T + 3600), "Percent"],
    ], result.stdout
    refused = aws(
        server, account, "get-instance-metric-data", "--instance-name", "nobody", "--metric-name", "CPUUtilization",
        "--period", "300", "--start-time", str(T), "--end-time", str(T + 600), "--unit", "Percent",
        "--statistics", "Average",
    )  # fmt: skip
    assert refused.returncode != 0 and "NotFoundException" in refused.stderr, refused.stderr
