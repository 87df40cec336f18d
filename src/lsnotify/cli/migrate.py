"""``lsnotify migrate``: apply the pending schema migrations of the configured store and say which."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from lsnotify.cli.common import STORE_SETTINGS, command_settings, one_line_errors, settings_options
from lsnotify.storage.factory import open_store


@click.command()
@settings_options(*STORE_SETTINGS)
def migrate(config_file: Path | None, **flags: Any) -> None:
    """Apply the pending schema migrations and print their names."""
    settings = command_settings(config_file, flags)

    async def run() -> list[str]:
        async with open_store(settings, migrate=False) as store:
            return await store.migrate()

    with one_line_errors():
        names = asyncio.run(run())
    click.echo("\n".join(f"applied {name}" for name in names) if names else "the schema is up to date")
