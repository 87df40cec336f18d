"""``GET /metrics`` counts each API call under its operation's name, whichever target prefix it came through."""

from __future__ import annotations

import json
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lsnotify.testing import mock_lightsail
from lsnotify.testing.asgi import host_header
from lsnotify.testing.mock import MockLightsail

URL = "http://lsnotify.test/"


def call(mock: MockLightsail, target: str, params: dict[str, object]) -> int:
    """POST one SigV4-signed AWS JSON 1.1 call to the mock's app; its HTTP status."""
    body = json.dumps(params).encode()
    request = AWSRequest("POST", URL, data=body, headers={"Content-Type": "application/x-amz-json-1.1",
                                                          "X-Amz-Target": target})  # fmt: skip
    key = mock.credentials
    SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), "lightsail", "us-east-1").add_auth(request)
    headers = [(b"host", host_header(URL))]
    headers += [(name.lower().encode(), value.encode()) for name, value in request.headers.items()]
    status, _, _ = mock.handle("POST", URL, headers, body)
    return status


def requests_total(text: str) -> dict[tuple[str, str], float]:
    """``lsnotify_api_requests_total`` by (operation, status)."""
    counts = {}
    for line in text.splitlines():
        if line.startswith("lsnotify_api_requests_total{"):
            series, value = line.rsplit(" ", 1)
            labels = dict(pair.split("=", 1) for pair in series[len("lsnotify_api_requests_total{") : -1].split(","))
            counts[labels["operation"].strip('"'), labels["status"].strip('"')] = float(value)
    return counts


def test_put_metric_data_and_lightsail_calls_are_counted_by_operation() -> None:
    with mock_lightsail() as mock:
        datapoint = {"timestamp": time.time(), "value": 42.0}
        metric = {"resourceType": "Instance", "resourceName": "web-1", "metricName": "CPUUtilization"}
        assert call(mock, "LsNotify_20261127.PutMetricData", {**metric, "datapoints": [datapoint]}) == 200
        assert call(mock, "LsNotify_20261127.PutMetricData", {**metric, "datapoints": []}) == 400
        assert call(mock, "Lightsail_20161128.GetContactMethods", {}) == 200
        assert call(mock, "LsNotify_20261127.MadeUpOperation", {}) == 404
        status, _, body = mock.handle("GET", f"{URL}metrics", [(b"host", host_header(URL))], b"")
    assert status == 200
    counts = requests_total(body.decode())
    assert counts[("PutMetricData", "200")] == 1
    assert counts[("PutMetricData", "400")] == 1
    assert counts[("GetContactMethods", "200")] == 1
    assert counts == {
        ("PutMetricData", "200"): 1,
        ("PutMetricData", "400"): 1,
        ("GetContactMethods", "200"): 1,
        ("unknown", "404"): 1,
    }
