"""Per-call cost of mock_lightsail, by hand: `.venv/bin/python tests/inprocess/measure_mock_overhead.py`.

Prints the median calls/s of ``get_contact_methods`` over 5 rounds of 1000 calls: through ``mock_lightsail``;
through botocore alone, answered at once by a canned response (the floor no in-process mock can beat); and over
HTTP through ``ThreadedServer``. The difference of the first two is what the mock adds to each call. Not a test
(nothing is asserted; it is not collected): a speed figure belongs in ``make bench``, where this can move.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from lsnotify.testing import ThreadedServer, mock_lightsail
from lsnotify.testing.intercept import InProcessResponse

CALLS, ROUNDS = 1000, 5


def calls_per_second(call: Callable[[], Any]) -> float:
    call()
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            call()
        rates.append(CALLS / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    with mock_lightsail():
        mocked = boto3.client("lightsail")
        mocked.create_contact_method(protocol="Email", contactEndpoint="bench@example.com")
        mock_rate = calls_per_second(mocked.get_contact_methods)

    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1")
    canned = session.client("lightsail")
    headers = [(b"content-type", b"application/x-amz-json-1.1")]
    canned.meta.events.register_first(
        "before-send.lightsail",
        lambda request, **_: InProcessResponse(request.url, 200, headers, b'{"contactMethods": []}'),
    )
    floor_rate = calls_per_second(canned.get_contact_methods)

    with ThreadedServer() as server:
        over_http = server.client()
        over_http.create_contact_method(protocol="Email", contactEndpoint="bench@example.com")
        http_rate = calls_per_second(over_http.get_contact_methods)

    for name, rate in (("mock_lightsail", mock_rate), ("botocore alone", floor_rate), ("ThreadedServer", http_rate)):
        print(f"{name:16} {rate:8.0f} calls/s  {1e6 / rate:7.0f} us/call")
    print(f"mock_lightsail adds {1e6 / mock_rate - 1e6 / floor_rate:.0f} us to each call")


if __name__ == "__main__":
    main()
