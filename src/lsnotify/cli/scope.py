"""The commands that act in one account's region (``resources add``, ``metrics put``, ``alarms history``...): their
``--account-id`` and ``--region`` options, and running them against the store in that scope.

``--account-id`` may be left out when the data directory has a single account (the one made on first start).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lsnotify.awsjson.model import lightsail_regions
from lsnotify.cli.common import STORE_SETTINGS, command_settings, run_with_store, settings_options
from lsnotify.config import Settings
from lsnotify.domain import Scope
from lsnotify.errors import LightsailError
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def scoped_command(fn: F) -> F:
    """A store command with ``--account-id`` and ``--region``; ``fn`` gets (settings, account_id, region, ...)."""

    @click.option("--region", required=True, help="The Lightsail region, e.g. us-east-1.")
    @click.option("--account-id", help="The 12-digit account (default: the data directory's only account).")
    @settings_options(*STORE_SETTINGS)
    def wrapper(config_file: Path | None, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name) for name in STORE_SETTINGS}
        if kwargs["region"] not in lightsail_regions():
            raise click.BadParameter(f"{kwargs['region']!r} is not a Lightsail region", param_hint="--region")
        return fn(command_settings(config_file, flags), **kwargs)

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper  # type: ignore[return-value]


def in_scope(
    settings: Settings, account_id: str | None, region: str, action: Callable[[Store, Scope], Awaitable[T]]
) -> T:
    """Run ``action`` in the scope of (the given or only account, ``region``); service errors become one line."""

    async def run(store: Store, box: SecretBox) -> T:
        accounts = sorted({key.account_id for key in await store.list_access_keys(account_id)})
        if account_id is not None and not accounts:
            raise click.ClickException(f"no account {account_id} in this data directory (see `lsnotify keys list`)")
        if account_id is None and len(accounts) != 1:
            raise click.ClickException(
                f"give --account-id: this data directory has {len(accounts)} accounts ({', '.join(accounts)})"
            )
        try:
            return await action(store, Scope(accounts[0], region))
        except LightsailError as exc:
            raise click.ClickException(exc.message) from None

    return run_with_store(settings, run)
