"""CloudWatch's PutMetricData against a real server: boto3 and the AWS CLI (AWS JSON 1.0), AWS Query and Smithy RPC
v2 CBOR requests (by hand, and as botocore serializes, signs and parses them), a gzip body; every datum checked in
the store's 5-minute aggregates, an alarm fired by one, and every documented limit refused in each protocol with
CloudWatch's error and nothing stored.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import botocore.session
import cbor2
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.credentials import Credentials
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from signing import post, sign

from alarm_helpers import aws_cli_env, register, stored_metric
from harness import Account, ServerProcess, error_of, running_server, wait_until
from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate
from lsnotify.domain.metrics import period_start
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store

XMLNS = "{http://monitoring.amazonaws.com/doc/2010-08-01/}"
CONFIG = '[metric_names]\ncpu_usage_active = "CPUUtilization"\n'
JSON_TARGET = "GraniteServiceVersion20100801.PutMetricData"
CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/PutMetricData"


@pytest.fixture(scope="module")
def cw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a ``[metric_names]`` table and a 1-second alarm evaluator."""
    data_dir = tmp_path_factory.mktemp("cloudwatch")
    config = data_dir / "lsnotify.toml"
    config.write_text(CONFIG)
    env = {"LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1", "LSNOTIFY_KEY_CACHE_TTL": "0"}
    yield from running_server(data_dir, env=env, extra_args=("--config", str(config)))


@pytest.fixture
def account(cw: ServerProcess) -> Account:
    return cw.new_account()


def cloudwatch(server: ServerProcess, account: Account, **config: Any) -> Any:
    return server.client(account, service="cloudwatch", **config)


def resources(server: ServerProcess, account: Account) -> list[str]:
    async def read(store: Store, box: SecretBox) -> list[str]:
        return [r.name for r in await store.list_resources(Scope(account.account_id, "us-east-1"))]

    result: list[str] = server.run_store(read)
    return result


def instance(name: str) -> list[dict[str, str]]:
    return [{"Name": "InstanceName", "Value": name}, {"Name": "host", "Value": "ignored"}]


def scrape(server: ServerProcess) -> str:
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        return str(response.read().decode())


def test_boto3_puts_every_kind_of_datum_into_the_lightsail_metric(cw: ServerProcess, account: Account) -> None:
    client = cloudwatch(cw, account)
    now = time.time()
    at = period_start(now - 600) + 10.0  # one 5-minute period, well inside the window
    client.put_metric_data(
        Namespace="Custom/App",
        MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": instance("cw-1"), "Timestamp": at, "Value": 10.0},
            {"MetricName": "CPUUtilization", "Dimensions": instance("cw-1"), "Timestamp": at, "Values": [20.0, 40.0],
             "Counts": [1.0, 3.0], "Unit": "Percent"},
            {"MetricName": "CPUUtilization", "Dimensions": instance("cw-1"), "Timestamp": at + 1,
             "StatisticValues": {"SampleCount": 2.0, "Sum": 100.0, "Minimum": 5.0, "Maximum": 95.0}},
            {"MetricName": "RequestCount", "Dimensions": [{"Name": "LoadBalancerName", "Value": "lb-1"}],
             "Timestamp": at, "Value": 7.0, "StorageResolution": 1},
            {"MetricName": "mystery", "Dimensions": instance("cw-1"), "Value": 1.0},
            {"MetricName": "no-resource", "Value": 1.0},
        ],
    )  # fmt: skip
    (cpu,) = stored_metric(cw, account, "cw-1", "CPUUtilization")
    assert cpu == MetricAggregate(period_start(at), 1 + 4 + 2, 10.0 + 20.0 + 120.0 + 100.0, 5.0, 95.0)
    (requests,) = stored_metric(cw, account, "lb-1", "RequestCount")
    assert (requests.sample_count, requests.sum) == (1, 7.0)
    assert sorted(resources(cw, account)) == ["cw-1", "lb-1"]
    text = scrape(cw)
    assert 'lsnotify_ingest_datums_unmapped_total{reason="unknown_metric",source="cloudwatch"}' in text
    assert 'lsnotify_ingest_datums_unmapped_total{reason="no_resource_dimension",source="cloudwatch"}' in text
    assert 'lsnotify_ingest_requests_total{protocol="cloudwatch-json",status="200"}' in text
    assert "'mystery' feeds no Lightsail metric (unknown_metric)" in cw.log()


def test_the_aws_cli_with_a_translated_telegraf_name(cw: ServerProcess, account: Account) -> None:
    env = aws_cli_env(account)
    command = [
        sys.executable, "-m", "awscli", "cloudwatch", "put-metric-data", "--endpoint-url", cw.url,
        "--region", "eu-west-2", "--namespace", "Telegraf", "--metric-name", "cpu_usage_active",
        "--dimensions", "InstanceName=cli-1,cpu=cpu-total", "--value", "42.5", "--unit", "Percent",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr

    (point,) = stored_metric(cw, account, "cli-1", "CPUUtilization", region="eu-west-2")
    assert (point.sample_count, point.sum) == (1, 42.5)

    bad = subprocess.run([*command[:-4], "--value", "1", "--unit", "Furlongs"], capture_output=True, text=True,
                         timeout=60, env=env)  # fmt: skip
    assert bad.returncode != 0 and "InvalidParameterValue" in bad.stderr, bad.stderr


def test_an_alarm_fires_on_a_cloudwatch_datum(cw: ServerProcess, account: Account) -> None:
    register(cw, account, "alarmed-1", "Instance")
    lightsail = cw.client(account)
    lightsail.put_alarm(
        alarmName="cw-cpu", monitoredResourceName="alarmed-1", metricName="CPUUtilization",
        comparisonOperator="GreaterThanOrEqualToThreshold", threshold=80.0, evaluationPeriods=1,
    )  # fmt: skip
    cloudwatch(cw, account).put_metric_data(
        Namespace="CWAgent",
        MetricData=[{"MetricName": "cpu_usage_active", "Dimensions": instance("alarmed-1"), "Value": 97.0}],
    )

    def alarmed() -> bool:
        return bool(lightsail.get_alarms(alarmName="cw-cpu")["alarms"][0]["state"] == "ALARM")

    wait_until(alarmed, timeout=30, interval=0.1, what="the alarm to go to ALARM")


def query_body(params: dict[str, str]) -> bytes:
    return urlencode({"Action": "PutMetricData", "Version": "2010-08-01", **params}).encode()


def test_aws_query_signed_by_botocore(cw: ServerProcess, account: Account) -> None:
    body = query_body({
        "Namespace": "CWAgent",
        "MetricData.member.1.MetricName": "NetworkIn",
        "MetricData.member.1.Value": "1500",
        "MetricData.member.1.Dimensions.member.1.Name": "InstanceName",
        "MetricData.member.1.Dimensions.member.1.Value": "q-1",
        "MetricData.member.2.MetricName": "NetworkIn",
        "MetricData.member.2.Values.member.1": "100",
        "MetricData.member.2.Values.member.2": "200",
        "MetricData.member.2.Counts.member.1": "2",
        "MetricData.member.2.Counts.member.2": "1",
        "MetricData.member.2.Dimensions.member.1.Name": "InstanceName",
        "MetricData.member.2.Dimensions.member.1.Value": "q-1",
    })  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    response = post(cw.url + "/", sign(cw.url + "/", headers, body, account, service="monitoring"), body)
    assert response.status == 200, response.body
    root = ElementTree.fromstring(response.body)
    assert root.tag == f"{XMLNS}PutMetricDataResponse"
    assert root.find(f"{XMLNS}ResponseMetadata/{XMLNS}RequestId") is not None
    (point,) = stored_metric(cw, account, "q-1", "NetworkIn")
    assert (point.sample_count, point.sum, point.minimum, point.maximum) == (4, 1900.0, 100.0, 1500.0)

    bad = query_body({"Namespace": "CWAgent", "MetricData.member.1.MetricName": "NetworkIn",
                      "MetricData.member.1.Value": "NaN"})  # fmt: skip
    response = post(cw.url + "/", sign(cw.url + "/", headers, bad, account, service="monitoring"), bad)
    assert response.status == 400
    error = ElementTree.fromstring(response.body).find(f"{XMLNS}Error")
    assert error is not None
    assert error.findtext(f"{XMLNS}Code") == "InvalidParameterValue"
    assert error.findtext(f"{XMLNS}Type") == "Sender"
    assert "MetricData.member.1.Value" in (error.findtext(f"{XMLNS}Message") or "")


def test_smithy_rpc_v2_cbor_signed_by_botocore(cw: ServerProcess, account: Account) -> None:
    url = cw.url + CBOR_PATH
    headers = {"Content-Type": "application/cbor", "Accept": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    moment = time.time()
    body = cbor2.dumps({
        "Namespace": "Java",
        "MetricData": [{"MetricName": "DatabaseConnections", "Value": 12,
                        "Timestamp": cbor2.CBORTag(1, moment),
                        "Dimensions": [{"Name": "RelationalDatabaseName", "Value": "db-1"}]}],
    })  # fmt: skip
    response = post(url, sign(url, headers, body, account, service="monitoring"), body)
    assert response.status == 200, response.body
    assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
    (point,) = stored_metric(cw, account, "db-1", "DatabaseConnections")
    assert (point.period_start, point.maximum) == (period_start(moment), 12.0)

    bad = cbor2.dumps({"Namespace": "Java", "MetricData": [{"MetricName": "x", "Value": 1, "StatisticValues": {
        "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]})  # fmt: skip
    response = post(url, sign(url, headers, bad, account, service="monitoring"), bad)
    assert response.status == 400
    assert response.headers["x-amzn-query-error"] == "InvalidParameterCombination;Sender"
    error = cbor2.loads(response.body)
    assert error["__type"].endswith("#InvalidParameterCombinationException")
    assert "MetricData.member.1.Value and MetricData.member.1.StatisticValues" in error["message"]


def test_a_gzip_body(cw: ServerProcess, account: Account) -> None:
    params = {"Namespace": "Zipped", "MetricData": [
        {"MetricName": "CPUUtilization", "Dimensions": instance(f"gz-{i % 3}"), "Value": float(i)} for i in range(999)
    ]}  # fmt: skip
    body = gzip.compress(json.dumps(params).encode())
    headers = {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": JSON_TARGET, "Content-Encoding": "gzip",
        "x-amzn-query-mode": "true",
    }  # fmt: skip
    response = post(cw.url + "/", sign(cw.url + "/", headers, body, account, service="monitoring"), body)
    assert response.status == 200, response.body
    assert sum(p.sample_count for i in range(3) for p in stored_metric(cw, account, f"gz-{i}", "CPUUtilization")) == 999

    bomb = gzip.compress(b" " * (20 * 1024 * 1024))
    response = post(cw.url + "/", sign(cw.url + "/", headers, bomb, account, service="monitoring"), bomb)
    assert response.status == 413


def test_boto3_compresses_a_large_request_itself(cw: ServerProcess, account: Account) -> None:
    client = cloudwatch(cw, account)
    encodings: list[bytes | None] = []
    client.meta.events.register(
        "before-send", lambda request, **_: encodings.append(request.headers.get("Content-Encoding"))
    )
    datums = [{"MetricName": "NetworkIn", "Dimensions": instance("big-1"), "Value": 1.0} for _ in range(1000)]
    client.put_metric_data(Namespace="Big", MetricData=datums)  # well over botocore's 10 KiB compression threshold
    assert encodings == [b"gzip"], encodings  # botocore keeps prepared header values as bytes
    (point,) = stored_metric(cw, account, "big-1", "NetworkIn")
    assert (point.sample_count, point.sum) == (1000, 1000.0)


def test_a_gzip_query_body_as_the_cloudwatch_agent_sends_it(cw: ServerProcess, account: Account) -> None:
    body = gzip.compress(query_body({
        "Namespace": "CWAgent", "MetricData.member.1.MetricName": "DiskReadOps", "MetricData.member.1.Value": "9",
        "MetricData.member.1.Dimensions.member.1.Name": "InstanceName",
        "MetricData.member.1.Dimensions.member.1.Value": "agent-1",
    }))  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Content-Encoding": "gzip"}
    response = post(cw.url + "/", sign(cw.url + "/", headers, body, account, service="monitoring"), body)
    assert response.status == 200, response.body
    (point,) = stored_metric(cw, account, "agent-1", "DiskReadOps")
    assert point.sum == 9.0


def test_other_operations_and_wrong_scopes_are_refused(cw: ServerProcess, account: Account) -> None:
    client = cloudwatch(cw, account)
    error = error_of(client.list_metrics)["Error"]
    assert error["Code"] == "UnsupportedOperation" and "ListMetrics" in error["Message"]
    # A Lightsail-scoped signature is not a CloudWatch one.
    body = b'{"Namespace": "x", "MetricData": [{"MetricName": "m", "Value": 1}]}'
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": JSON_TARGET}
    response = post(cw.url + "/", sign(cw.url + "/", headers, body, account, service="lightsail"), body)
    assert response.status == 400 and b"monitoring" in response.body


BAD_DATUMS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no datum", {"MetricData": []}, "MissingParameter", "MetricData"),
    ("1001 datums", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0}] * 1001},
     "InvalidParameterValue", "1000"),
    ("no value", {"MetricData": [{"MetricName": "CPUUtilization"}]}, "MissingParameter", "MetricData.member.1.Value"),
    ("value and values", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0, "Values": [1.0]}]},
     "InvalidParameterCombination", "MetricData.member.1.Value and MetricData.member.1.Values"),
    ("counts alone", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0, "Counts": [1.0]}]},
     "InvalidParameterCombination", "MetricData.member.1.Counts"),
    ("151 values", {"MetricData": [{"MetricName": "CPUUtilization", "Values": [1.0] * 151}]},
     "InvalidParameterValue", "MetricData.member.1.Values"),
    ("counts of another length", {"MetricData": [{"MetricName": "CPUUtilization", "Values": [1.0, 2.0],
                                                  "Counts": [1.0]}]}, "InvalidParameterValue", "Counts"),
    ("a huge value", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 2.0**361}]},
     "InvalidParameterValue", "MetricData.member.1.Value"),
    ("min above max", {"MetricData": [{"MetricName": "CPUUtilization", "StatisticValues": {
        "SampleCount": 1.0, "Sum": 1.0, "Minimum": 2.0, "Maximum": 1.0}}]}, "InvalidParameterValue", "Minimum"),
    ("three weeks ago", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0,
                                         "Timestamp": time.time() - 21 * 86400}]},
     "InvalidParameterValue", "MetricData.member.1.Timestamp"),
    ("three hours ahead", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0,
                                           "Timestamp": time.time() + 3 * 3600}]},
     "InvalidParameterValue", "MetricData.member.1.Timestamp"),
    ("31 dimensions", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0, "Dimensions": [
        {"Name": f"d{i}", "Value": "v"} for i in range(31)]}]}, "InvalidParameterValue", "Dimensions"),
    ("a unit CloudWatch lacks", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0, "Unit": "Furlongs"}]},
     "InvalidParameterValue", "MetricData.member.1.Unit"),
    ("a dimension without a value", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0, "Dimensions": [
        {"Name": "InstanceName"}]}]}, "MissingParameter", "MetricData.member.1.Dimensions.member.1.Value"),
    ("storage resolution 30", {"MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0,
                                               "StorageResolution": 30}]},
     "InvalidParameterValue", "StorageResolution"),
    ("an AWS namespace", {"Namespace": "AWS/EC2", "MetricData": [{"MetricName": "CPUUtilization", "Value": 1.0}]},
     "InvalidParameterValue", "Namespace"),
]  # fmt: skip


PROTOCOLS = ("json", "query", "smithy-rpc-v2-cbor")


def botocore_call(server: ServerProcess, account: Account, protocol: str, params: dict[str, Any]) -> dict[str, Any]:
    """PutMetricData serialized in ``protocol`` by botocore's own serializer, signed with SigV4 (service
    ``monitoring``), and its answer read by botocore's parser for that protocol."""
    operation = botocore.session.get_session().get_service_model("cloudwatch").operation_model("PutMetricData")
    request = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    prepare_request_dict(request, endpoint_url=server.url)
    aws = create_request_object(request)
    SigV4Auth(Credentials(account.access_key_id, account.secret_access_key), "monitoring", "us-east-1").add_auth(aws)
    prepared = aws.prepare()
    response = post(prepared.url, dict(prepared.headers), prepared.body)
    raw = {"status_code": response.status, "headers": response.headers, "body": response.body}
    parsed: dict[str, Any] = create_parser(protocol).parse(raw, operation.output_shape)
    return parsed


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_each_protocol_as_botocore_serializes_it(cw: ServerProcess, account: Account, protocol: str) -> None:
    name = f"proto-{protocol[:5]}"
    params = {"Namespace": "N", "MetricData": [
        {"MetricName": "NetworkOut", "Dimensions": instance(name), "Timestamp": time.time(), "Values": [5.0, 7.0]},
        {"MetricName": "NetworkOut", "Dimensions": instance(name), "StatisticValues": {
            "SampleCount": 3.0, "Sum": 30.0, "Minimum": 1.0, "Maximum": 20.0}},
    ]}  # fmt: skip
    parsed = botocore_call(cw, account, protocol, params)
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 200, parsed
    (point,) = stored_metric(cw, account, name, "NetworkOut")
    assert (point.sample_count, point.sum, point.minimum, point.maximum) == (5, 42.0, 1.0, 20.0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(("case", "params", "code", "names"), BAD_DATUMS, ids=[case[0] for case in BAD_DATUMS])
def test_every_limit_is_refused_and_nothing_is_stored(
    cw: ServerProcess, account: Account, protocol: str, case: str, params: dict[str, Any], code: str, names: str
) -> None:
    good = {"MetricName": "CPUUtilization", "Dimensions": instance("bad-1"), "Value": 1.0}
    datums = [good, *({"Dimensions": instance("bad-1"), **datum} for datum in params["MetricData"])]
    request = {"Namespace": "Custom", **params, "MetricData": datums if params["MetricData"] else []}
    parsed = botocore_call(cw, account, protocol, request)
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert parsed["Error"]["Code"] == code, parsed["Error"]
    # The bad datum follows a good one: it is the request's second.
    assert names.replace("MetricData.member.1", "MetricData.member.2") in parsed["Error"]["Message"], parsed
    assert resources(cw, account) == []


def test_boto3_gets_cloudwatchs_error_codes(cw: ServerProcess, account: Account) -> None:
    client = cloudwatch(cw, account, parameter_validation=False)
    datum = {"MetricName": "CPUUtilization", "Dimensions": instance("bad-2"), "Value": 1.0, "Values": [1.0]}
    response = error_of(client.put_metric_data, Namespace="N", MetricData=[datum])
    assert response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(client.exceptions.InvalidParameterCombinationException):
        client.put_metric_data(Namespace="N", MetricData=[datum])
    assert resources(cw, account) == []
