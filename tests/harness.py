"""Test harness: real `lsnotify serve` processes on free ports, accounts, and clients pointed at them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lsnotify.config import load_settings
from lsnotify.identity import SecretBox, issue_access_key, secret_box
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store
from postgres_server import backend_env

T = TypeVar("T")

START_TIMEOUT = 30.0

UNPACED = {"LSNOTIFY_VERIFICATION_INTERVAL": "0", "LSNOTIFY_TEST_ALARM_INTERVAL": "0"}
"""The per-minute limits the harness's servers drop unless a test sets them: many tests resend a verification or
test an alarm twice within a minute, legitimately. Every other limit keeps its default."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.02, what: str = "") -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


@dataclass(frozen=True)
class Account:
    account_id: str
    access_key_id: str
    secret_access_key: str


@dataclass
class ServerProcess:
    """One `lsnotify serve` subprocess with its own data directory."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    env: Mapping[str, str] = field(default_factory=dict)
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def __post_init__(self) -> None:
        # on the backend under test; the same data directory means the same database
        self.env = {**backend_env(self.data_dir), **UNPACED, **self.env}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "lsnotify",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            "info",
            *self.extra_args,
        ]

    def start(self) -> ServerProcess:
        return self.launch().wait_ready()

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it (to start several at once); ``wait_ready`` waits."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}-{int(time.time() * 1000)}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env)
        return self

    def wait_ready(self) -> ServerProcess:
        wait_until(self._healthy, timeout=START_TIMEOUT, what=f"{self.url}/healthz ({self.log_path})")
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Signal the server and wait; uvicorn re-raises SIGTERM after a graceful shutdown, so expect -15."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def first_start_credentials(self) -> dict[str, str]:
        """The [lsnotify] profile written on first start."""
        values = {}
        for line in (self.data_dir / "credentials").read_text().splitlines():
            if "=" in line:
                key, value = (part.strip() for part in line.split("=", 1))
                values[key] = value
        return values

    def run_store(self, action: Callable[[Store, SecretBox], Any]) -> Any:
        """Run ``action`` against this server's store from the test process (as the `lsnotify` CLI would, but
        leaving the schema to the server, which has migrated it)."""
        settings = load_settings({"data_dir": str(self.data_dir)}, self.env)

        async def run() -> Any:
            async with open_store(settings, migrate=False) as store:
                return await action(store, secret_box(settings))

        return asyncio.run(run())

    def new_account(self, account_id: str | None = None) -> Account:
        async def issue(store: Store, box: SecretBox) -> Account:
            issued = await issue_access_key(store, box, account_id, time.time())
            return Account(issued.key.account_id, issued.key.access_key_id, issued.secret_access_key)

        result: Account = self.run_store(issue)
        return result

    def client(self, account: Account, region: str = "us-east-1", service: str = "lightsail", **config: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=account.access_key_id,
            aws_secret_access_key=account.secret_access_key,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
        )

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `lsnotify` command against this server's data directory."""
        return subprocess.run(
            [sys.executable, "-m", "lsnotify", *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
            timeout=60,
        )


def aws_cli(
    server: ServerProcess,
    account: Account,
    *args: str,
    region: str = "us-east-1",
    env: Mapping[str, str] = {},
    endpoint_from_env: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the real AWS CLI (`aws lightsail …`) against ``server`` as ``account``.

    With ``endpoint_from_env`` the endpoint comes from ``AWS_ENDPOINT_URL_LIGHTSAIL`` instead of ``--endpoint-url``.
    """
    endpoint = {"AWS_ENDPOINT_URL_LIGHTSAIL": server.url} if endpoint_from_env else {}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "lightsail",
            *args,
            *([] if endpoint_from_env else ["--endpoint-url", server.url]),
            "--region",
            region,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": account.access_key_id,
            "AWS_SECRET_ACCESS_KEY": account.secret_access_key,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_MAX_ATTEMPTS": "1",
            **endpoint,
            **env,
        },
    )


def cli_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The error response of a boto3 call that must fail."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response: dict[str, Any] = raised.value.response
    return response


def running_server(data_dir: Path, **kwargs: Any) -> Iterator[ServerProcess]:
    server = ServerProcess(data_dir, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
