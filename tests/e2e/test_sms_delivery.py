"""SMS notifications through real peers: moto's SNS server, and a webhook receiver that checks signatures."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from delivery_harness import FAST_DELIVERY, enqueue_notification, outbox
from harness import ServerProcess, free_port, wait_until
from webhook_receiver import WebhookReceiver

PHONE = "+14255550142"


@pytest.fixture(scope="module")
def moto_sns() -> Iterator[Any]:
    """moto's own threaded server (the SNS peer); its SNS backend is read back in this process."""
    from moto.server import ThreadedMotoServer
    from moto.sns.models import sns_backends

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    server.backends = sns_backends  # type: ignore[attr-defined]
    yield server
    server.stop()


def sms_recorded_by(moto: Any) -> list[tuple[str, str]]:
    return [sms for regions in moto.backends.values() for backend in regions.values()
            for sms in backend.sms_messages.values()]  # fmt: skip


def test_sns_publishes_the_sms_text(moto_sns: Any, tmp_path: Path) -> None:
    env = {
        **FAST_DELIVERY,
        "LSNOTIFY_SMS_PROVIDER": "sns",
        "LSNOTIFY_SNS_ENDPOINT_URL": moto_sns.url,
        "LSNOTIFY_SNS_REGION": "us-west-2",
        "LSNOTIFY_SNS_ACCESS_KEY_ID": "AKIDMOTOTESTING00001",
        "LSNOTIFY_SNS_SECRET_ACCESS_KEY": "moto-testing-secret",
    }
    server = ServerProcess(tmp_path / "sns", env=env).start()
    try:
        account = server.new_account()
        server.client(account).create_contact_method(protocol="SMS", contactEndpoint=PHONE)
        (message,) = enqueue_notification(
            server, account.account_id, "us-east-1", subject="", text="Alarm: CPU 99%", html=""
        )
        wait_until(lambda: (PHONE, "Alarm: CPU 99%") in sms_recorded_by(moto_sns), what="moto to record the SMS")
        wait_until(lambda: [m.id for m in outbox(server, "sent")] == [message.id], what="the SMS recorded sent")
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver("hook-secret", iter([503, 200])).start()
    yield receiver
    receiver.stop()


def test_the_webhook_receives_signed_json_and_a_5xx_is_retried(receiver: WebhookReceiver, tmp_path: Path) -> None:
    env = {
        **FAST_DELIVERY,
        "LSNOTIFY_SMS_PROVIDER": "webhook",
        "LSNOTIFY_WEBHOOK_URL": receiver.url,
        "LSNOTIFY_WEBHOOK_SECRET": "hook-secret",
    }
    server = ServerProcess(tmp_path / "webhook", env=env).start()
    try:
        account = server.new_account()
        server.client(account, region="eu-west-1").create_contact_method(protocol="SMS", contactEndpoint=PHONE)
        (message,) = enqueue_notification(
            server, account.account_id, "eu-west-1", subject="", text="Disk full", html=""
        )
        wait_until(lambda: [m.id for m in outbox(server, "sent")] == [message.id], what="the SMS recorded sent")
        assert [d.signature_valid for d in receiver.deliveries] == [True, True]
        body = receiver.deliveries[-1].body
        assert (body["destination"], body["text"], body["accountId"], body["region"]) == (
            PHONE, "Disk full", account.account_id, "eu-west-1"
        )  # fmt: skip
        assert body["idempotencyKey"] == message.idempotency_key == receiver.deliveries[0].headers["idempotency-key"]
        assert "contactEndpoint" not in body
    finally:
        server.stop()


def test_a_wrong_provider_setting_stops_start_up_with_one_line(data_dir: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "lsnotify", "serve", "--data-dir", str(data_dir), "--sms-provider", "webhook",
         "--webhook-url", "http://127.0.0.1:9/"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0
    assert [line for line in refused.stderr.splitlines() if line.strip()] == [
        "Error: webhook_secret: sms_provider webhook needs a secret to sign requests with"
    ]
