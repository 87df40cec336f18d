"""Two `lsnotify evaluator` processes on one database: every state change is recorded, and notified, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alarm_helpers import lsnotify_client, model_data_path, notifications, verify_email
from harness import ServerProcess, wait_until

# Several evaluators on one store: run again with the servers on PostgreSQL.
pytestmark = pytest.mark.backend

AVERAGED = ["CPUUtilization", "BurstCapacityPercentage", "BurstCapacityTime", "DiskTotalReadTime"]
AVERAGED += ["DiskTotalWriteTime", "DiskQueueLength"]
HOSTS = [f"host-{i}" for i in range(8)]


def start_evaluator(server: ServerProcess, log_path: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "lsnotify", "evaluator", "--data-dir", str(server.data_dir)]
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [*command, "--alarm-evaluation-interval", "1", "--log-level", "info"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **server.env},  # postgres: the server's store, whichever backend
        )


def test_two_evaluator_processes_never_double_notify(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir, extra_args=("--no-evaluate-alarms",), env={"LSNOTIFY_KEY_CACHE_TTL": "0"}).start()
    logs = [tmp_path / "evaluator-1.log", tmp_path / "evaluator-2.log"]
    evaluators = [start_evaluator(server, log) for log in logs]
    try:
        account = server.new_account()
        lightsail = server.client(account)
        metrics = lsnotify_client(server, account, model_data_path(tmp_path / "models"))
        lightsail.create_contact_method(protocol="Email", contactEndpoint="team@example.com")
        verify_email(server, account)

        def push(value: float) -> None:
            for host in HOSTS:
                for metric in AVERAGED:
                    point = {"timestamp": time.time(), "value": value}
                    metrics.put_metric_data(
                        resourceName=host, resourceType="Instance", metricName=metric, datapoints=[point]
                    )

        push(0.0)  # registers the hosts; the alarms below start from OK
        names = []
        for host in HOSTS:
            for metric in AVERAGED:
                for level in ("warn", "crit"):
                    names.append(f"{host}-{metric}-{level}")
                    lightsail.put_alarm(
                        alarmName=names[-1],
                        monitoredResourceName=host,
                        metricName=metric,
                        comparisonOperator="GreaterThanOrEqualToThreshold",
                        threshold=40.0 if level == "warn" else 45.0,
                        evaluationPeriods=1,
                        contactProtocols=["Email"],
                        notificationTriggers=["ALARM", "OK"],
                    )

        def all_in(state: str) -> bool:
            return {alarm["state"] for alarm in lightsail.get_alarms()["alarms"]} == {state}

        wait_until(lambda: all_in("OK"), timeout=60, interval=0.2, what="every alarm OK")
        push(100.0)  # the period's average reaches at least 50, or a new period starts at 100
        wait_until(lambda: all_in("ALARM"), timeout=60, interval=0.2, what="every alarm in ALARM")
        push(0.0)
        push(0.0)  # the average falls below 40 again
        wait_until(lambda: all_in("OK"), timeout=60, interval=0.2, what="every alarm OK again")
        # Two evaluators had every chance to notify twice; a few more ticks give them more.
        time.sleep(3)

        # Each alarm changed three times, and OK and ALARM are triggers: INSUFFICIENT_DATA -> OK -> ALARM -> OK.
        sent = notifications(server, account)
        keys = [message.idempotency_key for message in sent]
        assert len(keys) == len(set(keys)) == 3 * len(names)
        subjects = sorted(message.payload["subject"] for message in sent)
        states = ("OK", "ALARM", "OK")
        assert subjects == sorted(f'{state}: "{name}" in US East (N. Virginia)' for name in names for state in states)
        assert "alarm evaluator running" not in server.log()
    finally:
        for process in evaluators:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in evaluators]
        server.stop()
    assert codes == [0, 0]
    for log in logs:
        text = log.read_text()
        assert "alarm evaluator running every 1 seconds" in text and "alarm evaluator stopped" in text, text
