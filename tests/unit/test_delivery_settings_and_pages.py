"""Delivery settings (one clear line per mistake), the inbox's loopback rule, page helpers and metric labels."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from starlette.requests import Request

from lsnotify.config import ConfigError, load_settings
from lsnotify.web.hosts import is_loopback
from lsnotify.web.inbox import AdminGuard
from lsnotify.web.metrics import Metrics
from lsnotify.web.templating import linkify


def test_delivery_defaults_capture_everything_and_run_the_worker() -> None:
    settings = load_settings()
    assert (settings.email_provider, settings.sms_provider, settings.run_worker) == ("capture", "capture", True)


def test_delivery_settings_from_variables_and_toml(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('email_provider = "smtp"\nsmtp_host = "mail.example.org"\nsmtp_starttls = true\n')
    settings = load_settings(None, {"LSNOTIFY_SMTP_PORT": "2525", "LSNOTIFY_RUN_WORKER": "false"}, config)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("mail.example.org", 2525, True)
    assert settings.run_worker is False


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"email_provider": "sendgrid"}, "email_provider: 'sendgrid' is not capture or smtp"),
        ({"email_provider": "smtp"}, "smtp_host: email_provider smtp needs an SMTP server host (LSNOTIFY_SMTP_HOST)"),
        ({"smtp_tls": "true", "smtp_starttls": "true"}, "smtp_tls and smtp_starttls: choose one"),
        ({"smtp_port": "70000"}, "smtp_port: 70000 is not a TCP port"),
        ({"smtp_password": "x"}, "smtp_password: given without smtp_username"),
        ({"smtp_ca_file": "/no/such/ca.pem"}, "smtp_ca_file: /no/such/ca.pem is not a readable file"),
        ({"email_from": "not an address"}, "email_from: 'not an address' is not an address"),
        ({"sms_provider": "carrier-pigeon"}, "sms_provider: 'carrier-pigeon' is not capture, sns or webhook"),
        ({"sms_provider": "webhook"}, "webhook_url: sms_provider webhook needs an http(s):// URL"),
        ({"sms_provider": "webhook", "webhook_url": "https://h.example/sms"}, "webhook_secret: sms_provider webhook"),
        ({"sns_access_key_id": "AKID"}, "sns_access_key_id and sns_secret_access_key: give both or neither"),
        ({"worker_concurrency": "0"}, "worker_concurrency: must be at least 1"),
        ({"worker_lease_timeout": "0"}, "worker_lease_timeout: must be more than 0 seconds"),
        ({"retry_base_delay": "10", "retry_max_delay": "5"}, "retry_max_delay: must not be shorter than"),
    ],
)
def test_each_wrong_delivery_setting_is_named(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(values)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("::", False), ("192.0.2.10", False), ("lsnotify.example.org", False)],
)  # fmt: skip
def test_which_hosts_leave_the_inbox_open(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_linkify_escapes_text_and_links_urls() -> None:
    html = linkify('Open https://n.example/verify/abc_-1. Or <script>x</script> "http://a.example/?q=1&r=2"')
    assert html == (
        'Open <a href="https://n.example/verify/abc_-1">https://n.example/verify/abc_-1</a>. '
        "Or &lt;script&gt;x&lt;/script&gt; &#34;"
        '<a href="http://a.example/?q=1&amp;r=2">http://a.example/?q=1&amp;r=2</a>&#34;'
    )


def test_unknown_operations_share_one_metric_label() -> None:
    metrics = Metrics(["GetContactMethods"])
    metrics.observe_request("GetContactMethods", 200, 0.001)
    metrics.observe_request("MadeUpOperation1", 400, 0.001)
    metrics.observe_request(None, 400, 0.001)
    value = metrics.registry.get_sample_value
    assert value("lsnotify_api_requests_total", {"operation": "GetContactMethods", "status": "200"}) == 1
    assert value("lsnotify_api_requests_total", {"operation": "unknown", "status": "400"}) == 2
    assert value("lsnotify_api_requests_total", {"operation": "MadeUpOperation1", "status": "400"}) is None


def test_request_latency_is_a_cumulative_histogram() -> None:
    metrics = Metrics(["GetContactMethods"])
    for seconds in (0.0002, 0.001, 0.003, 20.0):
        metrics.observe_request("GetContactMethods", 200, seconds)
    value = metrics.registry.get_sample_value
    labels = {"operation": "GetContactMethods"}
    buckets = {"0.0005": 1, "0.001": 2, "0.0025": 2, "0.005": 3, "10.0": 3, "+Inf": 4}
    for le, count in buckets.items():
        assert value("lsnotify_api_request_duration_seconds_bucket", {**labels, "le": le}) == count, le
    assert value("lsnotify_api_request_duration_seconds_count", labels) == 4
    assert value("lsnotify_api_request_duration_seconds_sum", labels) == pytest.approx(20.0042)


def request_with(authorization: str | None, host: str = "127.0.0.1:8080") -> Request:
    headers = [(b"host", host.encode())]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    return Request({"type": "http", "method": "GET", "path": "/_lsnotify/messages", "headers": headers})


def test_the_admin_guard() -> None:
    open_locally = AdminGuard("", "127.0.0.1", "http://127.0.0.1:8080")
    assert open_locally.refusal(request_with(None)) is None
    closed = AdminGuard("", "0.0.0.0", "http://0.0.0.0:8080").refusal(request_with("Bearer anything"))
    assert closed is not None and closed.status_code == 403 and b"LSNOTIFY_ADMIN_TOKEN" in closed.body
    guarded = AdminGuard("t0ken", "0.0.0.0", "http://0.0.0.0:8080")
    assert guarded.refusal(request_with("Bearer t0ken")) is None
    assert guarded.refusal(request_with("Basic " + base64.b64encode(b"me:t0ken").decode())) is None
    for wrong in (None, "Bearer nope", "Basic !!!", "Basic " + base64.b64encode(b"t0ken").decode(), "t0ken"):
        refused = guarded.refusal(request_with(wrong))
        assert refused is not None and refused.status_code == 401, wrong
