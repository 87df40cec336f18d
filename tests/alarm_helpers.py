"""End-to-end helpers for alarms: lsnotify's own client, registering resources, verifying email, reading the outbox
and the stored metric aggregates."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from harness import Account, ServerProcess
from lsnotify.awsjson.lsnotify_model import API_VERSION, SERVICE_NAME
from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import MetricAggregate, MonitoredResource
from lsnotify.domain.contacts import EMAIL, hash_token
from lsnotify.domain.outbox import VERIFICATION_KIND, OutboxMessage
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store


def aws_cli_env(account: Account) -> dict[str, str]:
    """The environment for the AWS CLI to call lsnotify with ``account``'s key and none of the user's AWS set-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=account.access_key_id, AWS_SECRET_ACCESS_KEY=account.secret_access_key,
        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_MAX_ATTEMPTS="1",
    )  # fmt: skip
    return env


def model_data_path(root: Path) -> Path:
    """A botocore data directory holding lsnotify's model, written by `lsnotify metrics model` as a user would."""
    written = subprocess.run(
        [sys.executable, "-m", "lsnotify", "metrics", "model", str(root)], capture_output=True, text=True, timeout=60
    )
    assert written.returncode == 0, written.stderr
    assert Path(written.stdout.strip()) == root / SERVICE_NAME / API_VERSION / "service-2.json"
    return root


def lsnotify_client(server: ServerProcess, account: Account, data_path: Path, region: str = "us-east-1") -> Any:
    """A real boto3 client for ``LsNotify_20261127`` (PutMetricData), loaded from the shipped model file."""
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(data_path))
    return boto3.Session(botocore_session=session).client(
        SERVICE_NAME,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=account.access_key_id,
        aws_secret_access_key=account.secret_access_key,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def register(server: ServerProcess, account: Account, name: str, kind: str, region: str = "us-east-1") -> str:
    """Register a monitored resource straight in the server's store; return its ARN."""
    resource = MonitoredResource(account.account_id, region, name, kind, new_id(), time.time())

    async def add(store: Store, box: SecretBox) -> None:
        await store.add_resource(resource)

    server.run_store(add)
    return resource.arn


def verify_email(server: ServerProcess, account: Account, region: str = "us-east-1") -> None:
    """Confirm the account's pending email as its link would: spend the token sealed in the verification message."""

    async def confirm(store: Store, box: SecretBox) -> None:
        (message,) = [
            m
            for m in await store.list_outbox()
            if m.kind == VERIFICATION_KIND and (m.account_id, m.region) == (account.account_id, region)
        ]
        await store.confirm_verification(hash_token(box.open(message.payload["sealedToken"])), time.time())
        (method,) = await store.list_contact_methods(Scope(account.account_id, region), [EMAIL])
        assert method.status == "Valid"

    server.run_store(confirm)


def notifications(server: ServerProcess, account: Account) -> list[OutboxMessage]:
    """The account's alarm notifications in the outbox, oldest first."""

    async def read(store: Store, box: SecretBox) -> list[OutboxMessage]:
        return [m for m in await store.list_outbox() if m.kind == "notification" and m.account_id == account.account_id]

    result: list[OutboxMessage] = server.run_store(read)
    return sorted(result, key=lambda m: (m.created_at, m.protocol))


def stored_metric(
    server: ServerProcess, account: Account, name: str, metric: str, region: str = "us-east-1"
) -> list[MetricAggregate]:
    """Every stored 5-minute aggregate of the resource's metric, oldest first."""

    async def read(store: Store, box: SecretBox) -> list[MetricAggregate]:
        return await store.get_metric_data(Scope(account.account_id, region), name, metric, 0, 2**40)

    result: list[MetricAggregate] = server.run_store(read)
    return result
