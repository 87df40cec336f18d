"""The ``lsnotify`` command: serve, migrate, keys, worker, outbox (and, from ``cli_alarms``, resources, metrics,
alarms, evaluator).

Options that are settings are generated from ``config.Settings``, so every setting has the same flag on every
command that takes it. A wrong setting ends the command with one line on stderr, never a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lsnotify import __version__, logs
from lsnotify.config import ConfigError, Settings, env_name, load_settings, setting_fields
from lsnotify.domain import KEY_ACTIVE, KEY_INACTIVE
from lsnotify.identity import SecretBox, describe_key, issue_access_key, load_secret_key
from lsnotify.storage.base import RecordNotFound, Store, StoreError
from lsnotify.storage.factory import create_store

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

STORE_SETTINGS: tuple[str, ...] = ("data_dir", "database_url", "secret_key", "log_level")


def settings_options(*names: str) -> Callable[[F], F]:
    """Add ``--config`` and one option per named setting (all settings when none are named)."""

    def decorate(fn: F) -> F:
        for setting in reversed(setting_fields()):
            if names and setting.name not in names:
                continue
            flag = "--" + setting.name.replace("_", "-")
            help_text = f"{setting.metadata['help']} [env: {env_name(setting.name)}]"
            if setting.type in ("bool", bool):
                fn = click.option(f"{flag}/--no-{flag[2:]}", setting.name, default=None, help=help_text)(fn)
            else:
                fn = click.option(flag, setting.name, default=None, help=help_text, metavar="VALUE")(fn)
        return click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="LSNOTIFY_CONFIG",
            help="A TOML file of settings (keys are the option names). [env: LSNOTIFY_CONFIG]",
        )(fn)

    return decorate


def _settings(config_file: Path | None, flags: dict[str, Any]) -> Settings:
    try:
        return load_settings(flags, os.environ, config_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _configure_logging(level: str) -> None:
    handler = logs.StreamHandler(sys.stderr)
    handler.setFormatter(logs.Formatter(logs.FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def _run_with_store(settings: Settings, action: Callable[[Store, SecretBox], Awaitable[T]]) -> T:
    """Open the configured store (SQLite: creating and migrating it), run ``action``, close."""

    async def run() -> T:
        box = SecretBox(load_secret_key(settings.data_dir, settings.secret_key or None))
        store = create_store(settings)
        await store.open()
        try:
            await store.migrate()
            return await action(store, box)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (ConfigError, ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.version_option(__version__, prog_name="lsnotify")
def main() -> None:
    """lsnotify: the Amazon Lightsail notifications API, self-hosted."""


@main.command()
@settings_options()
def serve(config_file: Path | None, **flags: Any) -> None:
    """Serve the API, pages and delivery on HOST:PORT."""
    import uvicorn

    from lsnotify.web.app import build_app
    from lsnotify.web.server_options import uvicorn_options

    settings = _settings(config_file, flags)
    _configure_logging(settings.log_level)
    try:
        components = build_app(settings)
        _prepare_store(settings)
    except (ConfigError, ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(components.app, **uvicorn_options(settings))


def _prepare_store(settings: Settings) -> None:
    """postgres (issue 5): migrate and check the store before the server starts, so that an unreachable database or
    another node's secret key ends `serve` with one line rather than a failed lifespan's traceback."""
    from lsnotify.clock import system_clock
    from lsnotify.web.app import prepare_store

    async def run() -> None:
        box = SecretBox(load_secret_key(settings.data_dir, settings.secret_key or None))
        store = create_store(settings)
        await store.open()
        try:
            await prepare_store(settings, store, box, system_clock)
        finally:
            await store.close()

    asyncio.run(run())


@main.command()
@settings_options(*STORE_SETTINGS)
def migrate(config_file: Path | None, **flags: Any) -> None:
    """Apply the pending schema migrations and print their names."""
    settings = _settings(config_file, flags)

    async def run() -> list[str]:
        store = create_store(settings)
        await store.open()
        try:
            return await store.migrate()
        finally:
            await store.close()

    try:
        names = asyncio.run(run())
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\n".join(f"applied {name}" for name in names) if names else "the schema is up to date")


@main.group()
def keys() -> None:
    """Issue and manage access keys."""


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


def _store_command(fn: F) -> F:
    @settings_options(*STORE_SETTINGS)
    @functools.wraps(fn)
    def wrapper(config_file: Path | None, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name) for name in STORE_SETTINGS}
        return fn(_settings(config_file, flags), **kwargs)

    return wrapper  # type: ignore[return-value]


@keys.command("create")
@click.option("--account-id", help="The 12-digit account the key belongs to (default: a new random account).")
@_store_command
def keys_create(settings: Settings, account_id: str | None) -> None:
    """Issue an access key and print it, with its secret, as JSON."""
    if account_id is not None and not re.fullmatch(r"[0-9]{12}", account_id):
        raise click.BadParameter(f"{account_id!r} is not 12 digits", param_hint="--account-id")

    async def action(store: Store, box: SecretBox) -> dict[str, object]:
        return (await issue_access_key(store, box, account_id, time.time())).as_json()

    _print_json(_run_with_store(settings, action))


@keys.command("list")
@click.option("--account-id", help="Only this account's keys.")
@_store_command
def keys_list(settings: Settings, account_id: str | None) -> None:
    """List access keys (never their secrets)."""

    async def action(store: Store, box: SecretBox) -> list[dict[str, str]]:
        return [describe_key(key) for key in await store.list_access_keys(account_id)]

    _print_json({"AccessKeys": _run_with_store(settings, action)})


def _change_key(settings: Settings, access_key_id: str, change: Callable[[Store], Awaitable[None]]) -> None:
    async def action(store: Store, box: SecretBox) -> None:
        try:
            await change(store)
        except RecordNotFound:
            raise click.ClickException(f"no access key {access_key_id}") from None

    _run_with_store(settings, action)


@keys.command("deactivate")
@click.argument("access_key_id")
@_store_command
def keys_deactivate(settings: Settings, access_key_id: str) -> None:
    """Stop a key from authenticating (it can be reactivated)."""
    _change_key(settings, access_key_id, lambda store: store.set_access_key_status(access_key_id, KEY_INACTIVE))
    click.echo(f"deactivated {access_key_id}")


@keys.command("activate")
@click.argument("access_key_id")
@_store_command
def keys_activate(settings: Settings, access_key_id: str) -> None:
    """Let a deactivated key authenticate again."""
    _change_key(settings, access_key_id, lambda store: store.set_access_key_status(access_key_id, KEY_ACTIVE))
    click.echo(f"activated {access_key_id}")


@keys.command("delete")
@click.argument("access_key_id")
@_store_command
def keys_delete(settings: Settings, access_key_id: str) -> None:
    """Delete a key for good."""
    _change_key(settings, access_key_id, lambda store: store.delete_access_key(access_key_id))
    click.echo(f"deleted {access_key_id}")


# -- delivery (issue 3): `worker` and `outbox`, defined with the helpers above --------------------------------------
from lsnotify.cli.delivery import outbox, worker  # noqa: E402

main.add_command(worker)
main.add_command(outbox)

# -- alarms (issue 4): resources, metrics, alarms and evaluator. Imported last: cli_alarms uses the helpers above.
from lsnotify.cli.alarms import alarms, evaluator, metrics, resources  # noqa: E402

for _command in (resources, metrics, alarms, evaluator):
    main.add_command(_command)
