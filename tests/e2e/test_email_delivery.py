"""Verification emails and notifications through a real SMTP server (aiosmtpd), from real clients to a click."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from delivery_harness import enqueue_notification, outbox, outbox_cli, smtp_env
from harness import Account, ServerProcess, aws_cli, cli_json, running_server, wait_until
from pages import confirm, fetch, verify_link
from smtp_sink import SmtpSink


@pytest.fixture(scope="module")
def smtp_server(sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("smtp-server"), env=smtp_env(sink.port))


def status_of(client: Any) -> str:
    (method,) = client.get_contact_methods(protocols=["Email"])["contactMethods"]
    status: str = method["status"]
    return status


def check_verification_email(received: Any, account: Account, address: str, server: ServerProcess) -> str:
    message = received.message
    assert message["To"] == address
    assert message["From"] == "Lightsail alerts <alerts@lsnotify.test>"
    assert message["Subject"] == "Confirm your email address for Amazon Lightsail notifications"
    assert message["Date"] and message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<[0-9a-f-]{36}@lsnotify\.test>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    text = received.text()
    assert account.account_id in text and "us-east-1" in text and "lsnotify" in text
    link = verify_link(text)
    assert link.startswith(f"{server.url}/verify/")
    assert link in received.html()
    return link


def test_verification_email_from_boto3_arrives_and_its_link_confirms(
    smtp_server: ServerProcess, sink: SmtpSink
) -> None:
    account = smtp_server.new_account()
    client = smtp_server.client(account)
    address = f"boto3-{account.account_id}@example.com"
    client.create_contact_method(protocol="Email", contactEndpoint=address)
    (received,) = sink.wait_for(address)
    link = check_verification_email(received, account, address, smtp_server)

    page = fetch(link)  # what a mail scanner's prefetch does: it must verify nothing
    assert page.status == 200 and address in page.text()
    assert status_of(client) == "PendingVerification"
    done = confirm(link)
    assert done.status == 200 and "Email address confirmed" in done.text()
    assert status_of(client) == "Valid"

    used = fetch(link)
    assert used.status == 404 and "does not work" in used.text()
    assert used.forms == []  # nothing to confirm again
    assert fetch(link, method="POST").status == 404
    assert status_of(client) == "Valid"


def test_verification_email_from_the_aws_cli_arrives_and_its_link_confirms(
    smtp_server: ServerProcess, sink: SmtpSink
) -> None:
    account = smtp_server.new_account()
    address = f"cli-{account.account_id}@example.com"
    created = aws_cli(
        smtp_server, account, "create-contact-method", "--protocol", "Email", "--contact-endpoint", address
    )
    assert created.returncode == 0, created.stderr
    (received,) = sink.wait_for(address)
    link = check_verification_email(received, account, address, smtp_server)
    assert confirm(link).status == 200
    listed = cli_json(aws_cli(smtp_server, account, "get-contact-methods"))
    assert [(m["contactEndpoint"], m["status"]) for m in listed["contactMethods"]] == [(address, "Valid")]


def test_a_server_that_refuses_at_first_gets_the_email_after_retries(
    smtp_server: ServerProcess, sink: SmtpSink
) -> None:
    account = smtp_server.new_account()
    address = f"busy-{account.account_id}@example.com"
    sink.refuse(address, times=2)
    smtp_server.client(account).create_contact_method(protocol="Email", contactEndpoint=address)
    (received,) = sink.wait_for(address)
    assert sink.refused.count(address) == 2
    (sent,) = wait_until(lambda: [m for m in outbox(smtp_server, "sent") if m.destination == address], what="sent")
    assert sent.attempts == 3 and sent.last_error is None
    assert received.message["Message-ID"] == f"<{sent.idempotency_key}@lsnotify.test>"


def test_a_permanent_refusal_dead_letters_at_once(smtp_server: ServerProcess, sink: SmtpSink) -> None:
    account = smtp_server.new_account()
    address = f"nobody-{account.account_id}@example.com"
    sink.refuse(address, times=1, reply="550 5.1.1 No such mailbox")
    smtp_server.client(account).create_contact_method(protocol="Email", contactEndpoint=address)
    dead = wait_until(lambda: [m for m in outbox(smtp_server, "dead") if m.destination == address], what="dead")
    assert dead[0].attempts == 1 and "550" in (dead[0].last_error or "")
    assert sink.to(address) == []


def test_notifications_cannot_inject_headers(smtp_server: ServerProcess, sink: SmtpSink) -> None:
    account = smtp_server.new_account()
    client = smtp_server.client(account)
    address = f"alarm-{account.account_id}@example.com"
    client.create_contact_method(protocol="Email", contactEndpoint=address)
    confirm(verify_link(sink.wait_for(address)[0].text()))
    (message,) = enqueue_notification(
        smtp_server,
        account.account_id,
        "us-east-1",
        subject="CPU high\r\nBcc: victim@example.com\r\nX-Injected: yes",
        text="CPU is at 99%.\r\nBcc: victim@example.com",
        html="<p>CPU is at 99%.</p>",
    )
    received = sink.wait_for(address, count=2)[1]
    assert received.rcpt_tos == (address,)
    headers = received.raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "X-Injected" not in received.message and "Bcc" not in received.message
    assert [line for line in headers.splitlines() if line.startswith("Subject:")] == [
        "Subject: CPU high Bcc: victim@example.com X-Injected: yes"
    ]
    assert received.message["Message-ID"] == f"<{message.idempotency_key}@lsnotify.test>"
    assert "CPU is at 99%." in received.text() and received.html().strip() == "<p>CPU is at 99%.</p>"


def test_an_smtp_server_that_stays_down_dead_letters_then_outbox_retry_delivers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    down = SmtpSink()  # its port is free: nothing listens there yet
    server = ServerProcess(tmp_path_factory.mktemp("down"), env=smtp_env(down.port)).start()
    try:
        account = server.new_account()
        address = f"later-{account.account_id}@example.com"
        server.client(account).create_contact_method(protocol="Email", contactEndpoint=address)
        wait_until(lambda: outbox(server, "dead"), what="a dead letter")
        (dead,) = outbox_cli(server, "dead")
        assert dead["destination"] == address and dead["attempts"] == 4 and dead["kind"] == "verification"
        assert "SMTP 127.0.0.1" in dead["lastError"]

        down.start()
        try:
            retried = server.cli("outbox", "retry", "--all-dead")
            assert retried.returncode == 0 and "requeued 1 message(s)" in retried.stdout, retried.stderr
            (received,) = down.wait_for(address)
            assert received.message["Message-ID"] == f"<{dead['id']}@lsnotify.test>"
            assert verify_link(received.text())
            wait_until(lambda: [m.id for m in outbox(server, "sent")] == [dead["id"]], what="sent")
            again = server.cli("outbox", "retry", dead["id"])
            assert again.returncode != 0 and "not dead" in again.stderr
        finally:
            down.stop()
    finally:
        server.stop()
