"""``lsnotify keys``: issue access keys (printing the secret once), list them (never their secrets), deactivate,
activate and delete them. They work on the store directly: run them on the server's machine or database."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable

import click

from lsnotify.cli.common import print_json, run_with_store, store_command
from lsnotify.config import Settings
from lsnotify.domain import KEY_ACTIVE, KEY_INACTIVE
from lsnotify.identity import SecretBox, describe_key, issue_access_key
from lsnotify.storage.base import RecordNotFound, Store


@click.group()
def keys() -> None:
    """Issue and manage access keys."""


@keys.command("create")
@click.option("--account-id", help="The 12-digit account the key belongs to (default: a new random account).")
@store_command
def keys_create(settings: Settings, account_id: str | None) -> None:
    """Issue an access key and print it, with its secret, as JSON."""
    if account_id is not None and not re.fullmatch(r"[0-9]{12}", account_id):
        raise click.BadParameter(f"{account_id!r} is not 12 digits", param_hint="--account-id")

    async def action(store: Store, box: SecretBox) -> dict[str, object]:
        return (await issue_access_key(store, box, account_id, time.time())).as_json()

    print_json(run_with_store(settings, action))


@keys.command("list")
@click.option("--account-id", help="Only this account's keys.")
@store_command
def keys_list(settings: Settings, account_id: str | None) -> None:
    """List access keys (never their secrets)."""

    async def action(store: Store, box: SecretBox) -> list[dict[str, str]]:
        return [describe_key(key) for key in await store.list_access_keys(account_id)]

    print_json({"AccessKeys": run_with_store(settings, action)})


def _key_change(name: str, done: str, change: Callable[[Store, str], Awaitable[None]], help_text: str) -> None:
    """Add ``keys NAME ACCESS_KEY_ID``: apply ``change`` to the key, then say ``done``."""

    @keys.command(name, help=help_text)
    @click.argument("access_key_id")
    @store_command
    def command(settings: Settings, access_key_id: str) -> None:
        async def action(store: Store, box: SecretBox) -> None:
            try:
                await change(store, access_key_id)
            except RecordNotFound:
                raise click.ClickException(f"no access key {access_key_id}") from None

        run_with_store(settings, action)
        click.echo(f"{done} {access_key_id}")


_key_change(
    "deactivate",
    "deactivated",
    lambda store, key: store.set_access_key_status(key, KEY_INACTIVE),
    "Stop a key from authenticating (it can be reactivated).",
)
_key_change(
    "activate",
    "activated",
    lambda store, key: store.set_access_key_status(key, KEY_ACTIVE),
    "Let a deactivated key authenticate again.",
)
_key_change("delete", "deleted", lambda store, key: store.delete_access_key(key), "Delete a key for good.")
