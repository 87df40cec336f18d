"""Watching a server by itself, for real: Debian's node_exporter on a loopback port, registered with
`lsnotify resources add --scrape`, scraped every second by a server (or by `lsnotify scraper` on its own). CPU,
network and status-check datapoints reach the store; the exporter killed, StatusCheckFailed turns to 1 and an alarm
on it sends its email to a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alarm_helpers import stored_metric
from delivery_harness import smtp_env, verified_email
from harness import Account, ServerProcess, cli_json, running_server, wait_until
from lsnotify.domain.alarms import MetricAggregate
from node_exporter import NodeExporter
from smtp_sink import SmtpSink

SCRAPING = {
    "LSNOTIFY_SCRAPE_INTERVAL": "1",
    "LSNOTIFY_SCRAPE_TIMEOUT": "2",
    "LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1",
}
REGION = "us-east-1"


@pytest.fixture(scope="module")
def scraping(sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that scrapes its targets every second and sends email to ``sink``."""
    yield from running_server(tmp_path_factory.mktemp("scraping"), env={**smtp_env(sink.port), **SCRAPING})


@pytest.fixture
def exporter(tmp_path: Path) -> Iterator[NodeExporter]:
    running = NodeExporter(tmp_path).start()
    yield running
    running.kill()


def in_scope(account: Account) -> tuple[str, ...]:
    return ("--account-id", account.account_id, "--region", REGION)


def watch(server: ServerProcess, account: Account, name: str, url: str) -> dict[str, Any]:
    added: dict[str, Any] = cli_json(
        server.cli("resources", "add", name, "--type", "Instance", "--scrape", url, *in_scope(account))
    )
    return added


def samples(server: ServerProcess, account: Account, name: str, metric: str) -> list[MetricAggregate]:
    return stored_metric(server, account, name, metric)


def count(periods: list[MetricAggregate]) -> int:
    return sum(period.sample_count for period in periods)


def non_loopback_received_bytes() -> tuple[float, float]:
    """Bytes received so far by this machine's network devices: (all but loopback, loopback), from /proc/net/dev."""
    others = loopback = 0.0
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        device, counters = line.split(":", 1)
        received = float(counters.split()[0])
        if device.strip() == "lo":
            loopback += received
        else:
            others += received
    return others, loopback


def test_cpu_and_network_datapoints_come_from_the_exporters_counters(
    scraping: ServerProcess, exporter: NodeExporter
) -> None:
    account = scraping.new_account()
    others_before, loopback_before = non_loopback_received_bytes()
    added = watch(scraping, account, "web-1", exporter.url)
    assert added["name"] == "web-1" and added["resourceType"] == "Instance"
    assert added["scrape"] == {"url": exporter.url, "lastSuccessfulScrapeAt": None}

    cpu = wait_until(
        lambda: count(found := samples(scraping, account, "web-1", "CPUUtilization")) >= 3 and found,
        timeout=30,
        what="three CPUUtilization datapoints",
    )
    assert all(0.0 <= p.minimum <= p.maximum <= 100.0 for p in cpu)
    status = samples(scraping, account, "web-1", "StatusCheckFailed")
    assert count(status) >= count(cpu) + 1  # the first scrape gives status checks only
    assert max(p.maximum for p in status) == 0.0
    assert max(p.maximum for p in samples(scraping, account, "web-1", "StatusCheckFailed_Instance")) == 0.0
    received = samples(scraping, account, "web-1", "NetworkIn")
    sent = samples(scraping, account, "web-1", "NetworkOut")
    # (each scrape stores its metrics in transactions of their own: the latest may be half in)
    assert count(received) >= count(cpu) - 1 and count(sent) >= count(cpu) - 1
    assert min(p.minimum for p in received + sent) >= 0.0

    # Loopback is left out: every scrape and store call moved bytes over it, yet NetworkIn counts at most what the
    # other devices received meanwhile.
    others_after, loopback_after = non_loopback_received_bytes()
    assert loopback_after - loopback_before > 10_000
    assert sum(p.sum for p in received) <= others_after - others_before

    listed = cli_json(scraping.cli("resources", "list", *in_scope(account)))["resources"]
    (web_1,) = listed
    assert web_1["scrape"]["url"] == exporter.url and web_1["scrape"]["lastSuccessfulScrapeAt"] > time.time() - 60


def test_a_dead_exporter_fails_the_status_check_and_its_alarm_emails(
    scraping: ServerProcess, sink: SmtpSink, exporter: NodeExporter
) -> None:
    account = scraping.new_account()
    lightsail = scraping.client(account)
    address = f"oncall-{account.account_id}@example.com"
    verified_email(lightsail, sink, address)

    watch(scraping, account, "web-down", exporter.url)
    wait_until(
        lambda: samples(scraping, account, "web-down", "StatusCheckFailed"), timeout=30, what="a first status check"
    )
    lightsail.put_alarm(
        alarmName="web-down-status",
        monitoredResourceName="web-down",
        metricName="StatusCheckFailed",
        comparisonOperator="GreaterThanOrEqualToThreshold",
        threshold=1.0,
        evaluationPeriods=1,
        contactProtocols=["Email"],
        notificationTriggers=["ALARM"],
    )
    wait_until(
        lambda: lightsail.get_alarms(alarmName="web-down-status")["alarms"][0]["state"] == "OK",
        timeout=30,
        what="the alarm to be OK while the exporter answers",
    )

    exporter.kill()
    alarm_mail = sink.wait_for(address, count=2, timeout=30)[1]
    assert alarm_mail.message["Subject"] == 'ALARM: "web-down-status" in US East (N. Virginia)'
    text = alarm_mail.text()
    for fragment in ("web-down", "StatusCheckFailed", "Sum", "OK -> ALARM"):
        assert fragment in text, fragment
    failed = samples(scraping, account, "web-down", "StatusCheckFailed_Instance")
    assert max(p.maximum for p in failed) == 1.0


def test_a_target_is_changed_removed_and_refused_from_the_command_line(scraping: ServerProcess) -> None:
    account = scraping.new_account()
    watch(scraping, account, "web-3", "http://127.0.0.1:9/metrics")
    moved = cli_json(scraping.cli("resources", "set-scrape", "web-3", "--scrape", "http://[::1]:9100/metrics",
                                  *in_scope(account)))  # fmt: skip
    assert moved == {"name": "web-3", "scrape": {"url": "http://[::1]:9100/metrics", "lastSuccessfulScrapeAt": None}}
    assert cli_json(scraping.cli("resources", "set-scrape", "web-3", "--no-scrape", *in_scope(account))) == {
        "name": "web-3",
        "scrape": None,
    }
    (listed,) = cli_json(scraping.cli("resources", "list", *in_scope(account)))["resources"]
    assert listed["name"] == "web-3" and listed["scrape"] is None

    refusals = [
        (("set-scrape", "web-3", "--no-scrape"), "no scrape target for a resource named"),
        (("set-scrape", "nowhere", "--scrape", "http://10.0.0.1:9100/metrics"), "no monitored resource named"),
        (("set-scrape", "web-3", "--scrape", "ftp://10.0.0.1/metrics"), "is not an http:// or https:// URL"),
        (("set-scrape", "web-3"), "give --scrape URL or --no-scrape"),
        (("add", "lb-1", "--type", "LoadBalancer", "--scrape", "http://10.0.0.1:9100/metrics"), "only an Instance"),
    ]
    for args, message in refusals:
        refused = scraping.cli("resources", *args, *in_scope(account))
        assert refused.returncode != 0 and message in refused.stderr, (args, refused.stderr)
    (still,) = cli_json(scraping.cli("resources", "list", *in_scope(account)))["resources"]
    assert still["name"] == "web-3"  # the load balancer was not registered


@pytest.fixture
def not_scraping(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that leaves scraping to `lsnotify scraper`."""
    env = {**SCRAPING, "LSNOTIFY_RUN_SCRAPER": "false"}
    yield from running_server(tmp_path_factory.mktemp("not-scraping"), env=env)


def test_the_scraper_runs_as_its_own_process(
    not_scraping: ServerProcess, exporter: NodeExporter, tmp_path: Path
) -> None:
    server = not_scraping
    account = server.new_account()
    watch(server, account, "web-2", exporter.url)
    time.sleep(2.5)
    assert samples(server, account, "web-2", "StatusCheckFailed") == []  # the server itself does not scrape

    log = tmp_path / "scraper.log"
    with open(log, "wb") as output:
        scraper = subprocess.Popen(
            [sys.executable, "-m", "lsnotify", "scraper", "--data-dir", str(server.data_dir)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **server.env},
        )
    try:
        wait_until(
            lambda: count(samples(server, account, "web-2", "CPUUtilization")) >= 2,
            timeout=30,
            what=f"CPUUtilization from `lsnotify scraper` ({log})",
        )
    finally:
        scraper.send_signal(signal.SIGTERM)
        assert scraper.wait(timeout=30) == 0, log.read_text()
    assert "scraper stopped" in log.read_text()
