"""The delivery commands: ``lsnotify worker`` (the outbox worker as its own process) and ``lsnotify outbox``.

``outbox list [--status pending|sent|dead|suppressed]`` prints the outbox as JSON (never message contents: a
verification message holds a sealed token; a suppressed message's ``lastError`` names the hourly cap it was over);
``outbox retry ID... | --all-dead`` gives dead messages a new round of attempts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import click

from lsnotify.cli.common import (
    command_settings,
    one_line_errors,
    print_json,
    run_until_stopped,
    run_with_store,
    settings_options,
    store_command,
)
from lsnotify.config import Settings
from lsnotify.delivery.providers import build_worker
from lsnotify.domain.json_fields import json_fields
from lsnotify.domain.outbox import OUTBOX_PENDING, OUTBOX_STATES, OutboxMessage
from lsnotify.identity import SecretBox, check_secret_key, secret_box
from lsnotify.messages.formats import iso_time
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify.delivery")


@click.command()
@settings_options()
def worker(config_file: Path | None, **flags: Any) -> None:
    """Deliver the outbox (run `serve --no-run-worker` beside it), until SIGTERM or Ctrl-C."""
    settings = command_settings(config_file, flags)
    with one_line_errors():
        box = secret_box(settings)

    async def work(store: Store, stop: asyncio.Event) -> None:
        # the worker opens the sealed tokens of verification emails: a wrong key stops it now, not every send
        await check_secret_key(store, box)
        delivery = build_worker(settings, store, box, time.time)
        log.info("worker %s is delivering the outbox", delivery.name)
        try:
            await delivery.run(stop)
        finally:
            await delivery.close()
        log.info("worker %s stopped", delivery.name)

    run_until_stopped(settings, work)


@click.group()
def outbox() -> None:
    """Inspect the outbox and replay its dead letters."""


_OUTBOX_FIELDS = json_fields("id", "status", "kind", "protocol", "destination", "account_id", "region", "attempts")


def _describe(m: OutboxMessage) -> dict[str, Any]:
    return {
        **_OUTBOX_FIELDS(m),
        "createdAt": iso_time(m.created_at),
        "nextAttemptAt": iso_time(m.next_attempt_at) if m.status == OUTBOX_PENDING else None,
        "sentAt": iso_time(m.sent_at) if m.sent_at is not None else None,
        "lastError": m.last_error,
    }


@outbox.command("list")
@click.option("--status", type=click.Choice(OUTBOX_STATES), help="Only these messages.")
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True, help="Most messages listed.")
@store_command
def outbox_list(settings: Settings, status: str | None, limit: int) -> None:
    """List outbox messages, oldest first, as JSON."""

    async def action(store: Store, box: SecretBox) -> list[dict[str, Any]]:
        return [_describe(m) for m in await store.list_outbox(status, limit)]

    print_json({"messages": run_with_store(settings, action)})


@outbox.command("retry")
@click.argument("message_ids", nargs=-1)
@click.option("--all-dead", is_flag=True, help="Retry every dead message.")
@store_command
def outbox_retry(settings: Settings, message_ids: tuple[str, ...], all_dead: bool) -> None:
    """Give dead messages (by id, or --all-dead) a new round of attempts; a running worker sends them."""
    if bool(message_ids) == all_dead:
        raise click.UsageError("give message ids or --all-dead (not both)")

    async def action(store: Store, box: SecretBox) -> list[str]:
        return await store.retry_outbox(None if all_dead else message_ids, time.time())

    requeued = run_with_store(settings, action)
    click.echo(f"requeued {len(requeued)} message(s)")
    if missing := sorted(set(message_ids) - set(requeued)):
        raise click.ClickException(f"not dead (or unknown), left alone: {', '.join(missing)}")
