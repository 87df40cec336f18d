"""What the ``lsnotify`` commands share: their settings options, loading the settings, logging, running against the
store or until a signal, printing JSON, and ending in one line on the errors an operator can fix.

Options that are settings are generated from ``config.Settings``, so every setting has the same flag on every
command that takes it. A wrong setting ends the command with one line on stderr, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from lsnotify import logs
from lsnotify.config import ConfigError, Settings, env_name, load_settings, setting_fields
from lsnotify.identity import SecretBox, secret_box
from lsnotify.storage.base import Store, StoreError
from lsnotify.storage.factory import open_store

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

STORE_SETTINGS: tuple[str, ...] = ("data_dir", "database_url", "secret_key", "log_level")
"""The settings of the commands that only work on the store."""


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


def command_settings(config_file: Path | None, flags: dict[str, Any]) -> Settings:
    """The settings from the flags given, the ``LSNOTIFY_*`` variables and ``config_file``; a wrong one is one line."""
    try:
        return load_settings(flags, os.environ, config_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def store_command(fn: F) -> F:
    """A command with the ``STORE_SETTINGS`` options; ``fn`` gets the settings first, then its own arguments."""

    @settings_options(*STORE_SETTINGS)
    @functools.wraps(fn)
    def wrapper(config_file: Path | None, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name) for name in STORE_SETTINGS}
        return fn(command_settings(config_file, flags), **kwargs)

    return wrapper  # type: ignore[return-value]


def configure_logging(level: str) -> None:
    handler = logs.StreamHandler(sys.stderr)
    handler.setFormatter(logs.Formatter(logs.FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """End the command with one line, not a traceback, on what an operator can fix: a wrong setting, a secret key
    that cannot open the stored secrets, an unreachable database."""
    try:
        yield
    except (ConfigError, ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None


def run_with_store(settings: Settings, action: Callable[[Store, SecretBox], Awaitable[T]]) -> T:
    """Open the configured store (applying pending migrations), run ``action`` with it and the secret key, close."""

    async def run() -> T:
        box = secret_box(settings)
        async with open_store(settings) as store:
            return await action(store, box)

    with one_line_errors():
        return asyncio.run(run())


def run_until_stopped(settings: Settings, work: Callable[[Store, asyncio.Event], Awaitable[None]]) -> None:
    """Run a command that works on the store until SIGTERM or Ctrl-C: log at the configured level, open the store
    (applying pending migrations) and run ``work(store, stop)``, where ``stop`` is set by either signal from then
    on. What an operator can fix ends the command with one line."""
    configure_logging(settings.log_level)

    async def run() -> None:
        async with open_store(settings) as store:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            await work(store, stop)

    with one_line_errors():
        asyncio.run(run())


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))
