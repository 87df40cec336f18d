"""OTLP/HTTP metrics against a real server: the OpenTelemetry Python SDK's OTLP/HTTP exporter, signed with SigV4
(service ``monitoring``) through a requests session, and hand-made JSON exports; checked in the store's aggregates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from google.rpc import status_pb2
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from signing import post, sign

from alarm_helpers import stored_metric
from harness import Account, ServerProcess, running_server


class SigV4Session(requests.auth.AuthBase):
    """Signs each request as CloudWatch's OTLP endpoint takes it: SigV4, service ``monitoring``, over the body as
    sent (compressed, when it is)."""

    def __init__(self, account: Account, region: str = "us-east-1") -> None:
        self._signer = SigV4Auth(Credentials(account.access_key_id, account.secret_access_key), "monitoring", region)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        signed = {
            name: request.headers[name] for name in ("Content-Type", "Content-Encoding") if name in request.headers
        }
        aws = AWSRequest(method=request.method, url=request.url, data=request.body, headers=signed)
        self._signer.add_auth(aws)
        request.headers.update({name: aws.headers[name] for name in ("Authorization", "X-Amz-Date")})
        return request


@pytest.fixture(scope="module")
def otel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("otlp"), env={"LSNOTIFY_KEY_CACHE_TTL": "0"})


@pytest.fixture
def account(otel: ServerProcess) -> Account:
    return otel.new_account()


class Host:
    """What the host reports: CPU fractions by cpu and state, and cumulative bytes by device and direction."""

    def __init__(self) -> None:
        self.cpu = {
            ("0", "idle"): 0.25,
            ("0", "user"): 0.5,
            ("0", "system"): 0.25,
            ("1", "idle"): 0.75,
            ("1", "user"): 0.25,
        }
        self.bytes = {("eth0", "receive"): 1000, ("eth0", "transmit"): 500, ("lo", "receive"): 999}

    def cpu_points(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(value, {"cpu": cpu, "state": state}) for (cpu, state), value in self.cpu.items()]

    def network_points(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(value, {"device": dev, "direction": way}) for (dev, way), value in self.bytes.items()]


def test_the_opentelemetry_sdk_exporter_feeds_cpu_and_network(otel: ServerProcess, account: Account) -> None:
    session = requests.Session()
    session.auth = SigV4Session(account)
    exporter = OTLPMetricExporter(
        endpoint=otel.url + "/v1/metrics", session=session, compression=Compression.Gzip, timeout=10
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"host.name": "otel-1"}))
    host = Host()
    meter = provider.get_meter("hostmetrics")
    meter.create_observable_gauge("system.cpu.utilization", [host.cpu_points], unit="1")
    meter.create_observable_counter("system.network.io", [host.network_points], unit="By")
    assert provider.force_flush(10_000)
    host.bytes = {("eth0", "receive"): 4000, ("eth0", "transmit"): 800, ("lo", "receive"): 5000}
    host.cpu[("0", "idle")] = 0.75  # second sample: cpu0 25 % busy, cpu1 25 %: 25 %
    provider.shutdown()  # the reader's last collection and export
    cpu = stored_metric(otel, account, "otel-1", "CPUUtilization")
    assert sum(p.sample_count for p in cpu) == 2
    assert sum(p.sum for p in cpu) == pytest.approx(50.0 + 25.0)
    assert max(p.maximum for p in cpu) == pytest.approx(50.0) and min(p.minimum for p in cpu) == pytest.approx(25.0)
    # The first export only sets each counter's baseline; the second gives the bytes between them, loopback left out.
    (received,) = stored_metric(otel, account, "otel-1", "NetworkIn")
    (sent,) = stored_metric(otel, account, "otel-1", "NetworkOut")
    assert (received.sample_count, received.sum) == (1, 3000.0)
    assert (sent.sample_count, sent.sum) == (1, 300.0)


def json_export(host: str | None, name: str, value: float, at: float) -> dict[str, Any]:
    attributes = [] if host is None else [{"key": "host.name", "value": {"stringValue": host}}]
    point = {"timeUnixNano": str(int(at * 1e9)), "asDouble": value}
    metric = {"name": name, "gauge": {"dataPoints": [point]}}
    return {"resourceMetrics": [{"resource": {"attributes": attributes}, "scopeMetrics": [{"metrics": [metric]}]}]}


def test_json_exports_and_their_errors(otel: ServerProcess, account: Account) -> None:
    url = otel.url + "/v1/metrics"
    headers = {"Content-Type": "application/json"}
    now = time.time()
    body = json.dumps(json_export("json-1", "DiskQueueLength", 3.5, now)).encode()
    response = post(url, sign(url, headers, body, account, service="monitoring"), body)
    assert (response.status, response.headers["Content-Type"], response.json()) == (200, "application/json", {})
    (point,) = stored_metric(otel, account, "json-1", "DiskQueueLength")
    assert (point.sample_count, point.sum) == (1, 3.5)

    unmapped = json.dumps(json_export(None, "DiskQueueLength", 1.0, now)).encode()
    response = post(url, sign(url, headers, unmapped, account, service="monitoring"), unmapped)
    assert response.status == 200
    with requests.get(otel.url + "/metrics", timeout=10) as scrape:
        assert 'lsnotify_ingest_datums_unmapped_total{reason="no_resource_dimension",source="otlp"} 1.0' in scrape.text

    response = post(url, headers, body)  # unsigned
    assert response.status == 403 and "MissingAuthenticationToken" in response.json()["message"]
    wrong = sign(url, headers, body, account, service="lightsail")
    assert post(url, wrong, body).status == 400

    garbage = b"\x0a\xff\xff"
    protobuf = {"Content-Type": "application/x-protobuf"}
    response = post(url, sign(url, protobuf, garbage, account, service="monitoring"), garbage)
    assert response.status == 400
    status = status_pb2.Status.FromString(response.body)
    assert status.code == 3 and "SerializationException" in status.message
