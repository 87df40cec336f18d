"""Helpers for delivery tests: fast worker settings, SMTP server settings, and reading or writing the outbox."""

from __future__ import annotations

import time
from typing import Any

from harness import ServerProcess, cli_json
from lsnotify.domain import Scope
from lsnotify.domain.contacts import ContactMethod
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.service.notify import new_notification, notification_recipients
from pages import confirm, verify_link
from smtp_sink import SmtpSink

# Short intervals so that retries and polls take milliseconds, not minutes.
FAST_DELIVERY = {
    "LSNOTIFY_WORKER_POLL_INTERVAL": "0.05",
    "LSNOTIFY_RETRY_BASE_DELAY": "0.05",
    "LSNOTIFY_RETRY_MAX_DELAY": "0.2",
    "LSNOTIFY_DELIVERY_MAX_ATTEMPTS": "4",
    "LSNOTIFY_KEY_CACHE_TTL": "0",
}


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        **FAST_DELIVERY,
        "LSNOTIFY_EMAIL_PROVIDER": "smtp",
        "LSNOTIFY_SMTP_HOST": "127.0.0.1",
        "LSNOTIFY_SMTP_PORT": str(port),
        "LSNOTIFY_SMTP_TIMEOUT": "5",
        "LSNOTIFY_EMAIL_FROM": "Lightsail alerts <alerts@lsnotify.test>",
        **extra,
    }


def outbox_cli(server: ServerProcess, status: str | None = None) -> list[dict[str, Any]]:
    """The outbox as `lsnotify outbox list` prints it."""
    args = ["outbox", "list", *(["--status", status] if status else [])]
    messages: list[dict[str, Any]] = cli_json(server.cli(*args))["messages"]
    return messages


def outbox(server: ServerProcess, status: str | None = None) -> list[OutboxMessage]:
    """The outbox read through the store (quicker to poll than the CLI)."""

    async def read(store: Any, box: Any) -> list[OutboxMessage]:
        messages: list[OutboxMessage] = await store.list_outbox(status)
        return messages

    result: list[OutboxMessage] = server.run_store(read)
    return result


def enqueue_notification(
    server: ServerProcess, account_id: str, region: str, *, subject: str, text: str, html: str
) -> list[OutboxMessage]:
    """Enqueue a pre-rendered notification to the scope's Valid contact methods, as an alarm would."""

    async def enqueue(store: Any, box: Any) -> list[OutboxMessage]:
        now = time.time()
        recipients = await notification_recipients(store, Scope(account_id, region), now)
        messages = [new_notification(cm, subject=subject, text=text, html=html, now=now) for cm in recipients]
        await store.enqueue_outbox(messages)
        return messages

    result: list[OutboxMessage] = server.run_store(enqueue)
    return result


def enqueue_to(server: ServerProcess, cm: ContactMethod, **content: str) -> OutboxMessage:
    """Enqueue a notification to ``cm`` whatever its status (to test that delivery checks it)."""

    async def enqueue(store: Any, box: Any) -> OutboxMessage:
        message = new_notification(cm, now=time.time(), **content)
        await store.enqueue_outbox([message])
        return message

    result: OutboxMessage = server.run_store(enqueue)
    return result


def verified_email(lightsail: Any, sink: SmtpSink, address: str) -> None:
    """Create the Email contact method ``address`` and verify it as its owner would: follow the link ``sink`` got."""
    lightsail.create_contact_method(protocol="Email", contactEndpoint=address)
    (verification,) = sink.wait_for(address)
    assert confirm(verify_link(verification.text())).status == 200
