"""Which listening addresses are loopback, and which requests the dev inbox answers without a token."""

from __future__ import annotations

import pytest

from lsnotify.web.admin_token import needs_admin_token
from lsnotify.web.hosts import LocalRequests, host_name


@pytest.mark.parametrize(
    ("host", "needed"),
    [("127.0.0.1", False), ("127.0.0.2", False), ("::1", False), ("localhost", False), ("LOCALHOST.", False),
     ("0.0.0.0", True), ("::", True), ("192.0.2.10", True), ("2001:db8::1", True), ("lsnotify.example.org", True),
     ("::ffff:192.0.2.10", True)],
)  # fmt: skip
def test_a_server_needs_an_admin_token_unless_it_listens_on_loopback(host: str, needed: bool) -> None:
    assert needs_admin_token(host) is needed


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8080", "127.0.0.1"), ("[::1]:8080", "::1"), ("[::1]", "::1"), ("Example.ORG.:443", "example.org"),
     ("example.org", "example.org"), ("::1", "::1")],
)  # fmt: skip
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(name.replace("_", "-").encode(), value.encode()) for name, value in values.items()]


@pytest.mark.parametrize(
    ("request_headers", "admitted"),
    [
        (headers(host="127.0.0.1:8080"), True),
        (headers(host="127.9.9.9"), True),
        (headers(host="localhost"), True),
        (headers(host="app.localhost:8080"), True),
        (headers(host="[::1]:8080"), True),
        (headers(host="notify.example.org"), True),
        (headers(host="NOTIFY.example.org.:443"), True),
        ([], False),
        (headers(host="attacker.example"), False),
        (headers(host="notify.example.org.attacker.example"), False),
        (headers(host="localhost.attacker.example"), False),
        (headers(host="127.0.0.1", x_forwarded_for="198.51.100.7"), False),
        (headers(host="127.0.0.1", forwarded="for=198.51.100.7"), False),
        (headers(host="127.0.0.1", x_forwarded_host="notify.example.org"), False),
        (headers(host="127.0.0.1", x_real_ip="198.51.100.7"), False),
    ],
)
def test_local_requests(request_headers: list[tuple[bytes, bytes]], admitted: bool) -> None:
    refusal = LocalRequests("https://notify.example.org/").refusal(request_headers)
    assert (refusal is None) is admitted, refusal
