"""The ingestion benchmark's requests: CloudWatch ``PutMetricData`` calls of 1000 datums each, as boto3 sends them.

A fleet of ``INSTANCES`` instances reports ``METRICS`` Lightsail metrics once a minute; each request carries one
minute of ``DATUMS_PER_REQUEST`` datums (100 instances x 10 metrics), and successive requests move back one minute
each, so a run keeps adding new 1-minute, 5-minute and hourly points rather than adding to the same ones.
"""

from __future__ import annotations

from bench.fixtures import Scope
from bench.presign import Call

CLOUDWATCH_TARGET = "GraniteServiceVersion20100801.PutMetricData"
"""The ``X-Amz-Target`` boto3 sends PutMetricData with (AWS JSON 1.0): the floor answers it with lsnotify's reply."""
DATUMS_PER_REQUEST = 1000
INSTANCES = 100
METRICS = (
    "CPUUtilization", "NetworkIn", "NetworkOut", "StatusCheckFailed", "StatusCheckFailed_Instance",
    "StatusCheckFailed_System", "DiskReadOps", "DiskWriteOps", "DiskReadBytes", "DiskWriteBytes",
)  # fmt: skip
TARGET = 50_000
"""Datums per second the issue aims at; below ``DEFECT`` is a defect to explain."""
DEFECT = 10_000


def put_metric_data_calls(scope: Scope, now: float, minutes: int) -> list[Call]:
    """``minutes`` requests of ``DATUMS_PER_REQUEST`` datums, the newest a minute before ``now``."""
    calls = []
    for minute in range(1, minutes + 1):
        at = int(now // 60 - minute) * 60 + 1
        datums = [
            {"MetricName": metric, "Dimensions": [{"Name": "InstanceName", "Value": f"bench-{host:03d}"}],
             "Timestamp": at, "Value": float(host + index), "Unit": "None"}
            for host in range(INSTANCES)
            for index, metric in enumerate(METRICS)
        ]  # fmt: skip
        calls.append(Call(scope.key, scope.region, "PutMetricData", {"Namespace": "Bench", "MetricData": datums}))
    return calls
