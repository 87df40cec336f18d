"""The server process: first start, durability across restarts and kill -9, graceful shutdown, bad settings."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness import Account, ServerProcess, aws_cli, cli_json, wait_until

# Restarts and kill -9 against the store: run again with the servers on PostgreSQL.
pytestmark = pytest.mark.backend


def test_first_start_writes_a_private_working_profile(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    try:
        credentials = data_dir / "credentials"
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        assert stat.S_IMODE((data_dir / "secret.key").stat().st_mode) == 0o600
        text = credentials.read_text()
        assert text.startswith("[lsnotify]\n")
        profile = server.first_start_credentials()
        assert profile["aws_access_key_id"].startswith("AKIA") and len(profile["aws_access_key_id"]) == 20
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "lightsail", "get-contact-methods", "--endpoint-url", server.url],
            capture_output=True,
            text=True,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_CONFIG_FILE": str(data_dir / "config"),
                "AWS_PROFILE": "lsnotify",
            },
        )
        assert cli_json(result) == {"contactMethods": []}
    finally:
        server.stop()
    # A second start keeps the same key and does not rewrite the profile.
    server = ServerProcess(data_dir).start()
    try:
        assert credentials.read_text() == text
        keys = cli_json(server.cli("keys", "list"))["AccessKeys"]
        assert [k["AccessKeyId"] for k in keys] == [profile["aws_access_key_id"]]
    finally:
        server.stop()


def _seed(server: ServerProcess, account: Account, regions: list[str]) -> list[dict[str, Any]]:
    for region in regions:
        client = server.client(account, region=region)
        client.create_contact_method(protocol="Email", contactEndpoint=f"{region}@example.com")
        client.tag_resource(resourceName=f"Email-{region}", tags=[{"key": "region", "value": region}])
    return [server.client(account, region=r).get_contact_methods()["contactMethods"][0] for r in regions]


def test_data_survives_a_graceful_restart(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    account = server.new_account()
    regions = ["us-east-1", "us-west-2", "eu-west-1"]
    before = _seed(server, account, regions)
    server.stop()
    assert "Application shutdown complete" in server.log()
    server = ServerProcess(data_dir, port=server.port).start()
    try:
        after = [server.client(account, region=r).get_contact_methods()["contactMethods"][0] for r in regions]
        assert after == before
    finally:
        server.stop()


def test_every_acknowledged_write_survives_kill_9(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    accounts = [server.new_account() for _ in range(8)]
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(account: Account) -> None:
        client = server.client(account)
        for i in range(25):
            address = f"{account.account_id}-{i}@example.com"
            try:
                client.create_contact_method(protocol="Email", contactEndpoint=address)
            except Exception:
                return  # the server died under us: this write was never acknowledged
            with lock:
                acknowledged.append(address)
            try:
                client.delete_contact_method(protocol="Email")
            except Exception:
                return

    threads = [threading.Thread(target=write, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()

    def enough() -> bool:
        with lock:
            return len(acknowledged) >= 40

    wait_until(enough, timeout=60, what="40 acknowledged writes")
    server.kill()
    for thread in threads:
        thread.join()

    server = ServerProcess(data_dir, port=server.port).start()
    try:
        for account in accounts:
            # Each account's writer creates then deletes, one at a time: every acknowledged create left its
            # operation; at most one more (in flight at the kill) may have committed without an answer.
            ops = server.client(account).get_operations()["operations"]
            creates = sum(op["operationType"] == "CreateContactMethod" for op in ops)
            mine = sum(address.startswith(account.account_id) for address in acknowledged)
            assert mine <= creates <= mine + 1
    finally:
        server.stop()


def test_sigterm_lets_in_flight_requests_finish(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    account = server.new_account()
    client = server.client(account)
    results: list[str] = []

    def hammer() -> None:
        for i in range(200):
            try:
                client.tag_resource(resourceName="Email-us-east-1", tags=[{"key": "i", "value": str(i)}])
                results.append("ok")
            except ClientError as exc:
                results.append(f"http {exc.response['ResponseMetadata']['HTTPStatusCode']}")
                return
            except Exception as exc:  # the server stopped accepting connections
                results.append(type(exc).__name__)
                return

    client.create_contact_method(protocol="Email", contactEndpoint="t@example.com")
    thread = threading.Thread(target=hammer)
    thread.start()
    wait_until(lambda: len(results) >= 20, what="20 requests")
    server.stop(signal.SIGTERM)
    thread.join()
    assert "Application shutdown complete" in server.log()
    assert not [r for r in results if r.startswith("http")]  # no request was refused while shutting down
    oks = results.count("ok")
    server = ServerProcess(data_dir, port=server.port).start()
    try:
        ops = list(server.client(account).get_paginator("get_operations").paginate())
        tag_ops = sum(op["operationType"] == "TagResource" for page in ops for op in page["operations"])
        assert tag_ops >= oks  # every acknowledged write is there
    finally:
        server.stop()
    assert "Traceback" not in server.log()


def test_a_wrong_setting_stops_start_up_with_one_clear_line(data_dir: Path) -> None:
    env = {**os.environ, "LSNOTIFY_PORT": "99999"}
    result = subprocess.run(
        [sys.executable, "-m", "lsnotify", "serve", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Error: port: 99999 is not a TCP port (1-65535)"]

    bad_toml = data_dir.parent / "bad.toml"
    bad_toml.write_text('verification_ttl = "soon"\n')
    result = subprocess.run(
        [sys.executable, "-m", "lsnotify", "serve", "--config", str(bad_toml), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "verification_ttl" in result.stderr and "'soon'" in result.stderr


def test_aws_cli_against_a_restarted_server_with_a_cli_issued_key(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    try:
        issued = cli_json(server.cli("keys", "create", "--account-id", "123456789012"))["AccessKey"]
        account = Account(issued["AccountId"], issued["AccessKeyId"], issued["SecretAccessKey"])
        assert account.account_id == "123456789012"
        created = aws_cli(
            server, account, "create-contact-method", "--protocol", "SMS", "--contact-endpoint", "+14255550100"
        )
        assert created.returncode == 0, created.stderr
    finally:
        server.stop()
    server = ServerProcess(data_dir, port=server.port).start()
    try:
        listed = cli_json(aws_cli(server, account, "get-contact-methods"))
        assert [m["contactEndpoint"] for m in listed["contactMethods"]] == ["+14255550100"]
    finally:
        server.stop()
