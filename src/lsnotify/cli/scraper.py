"""``lsnotify scraper``: scrape the node_exporter targets apart from ``serve`` (then run ``serve --no-run-scraper``).

Any number of scrapers, and servers that scrape, may share one database: each due target is claimed by one of them.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import click

from lsnotify.cli.common import STORE_SETTINGS, command_settings, run_until_stopped, settings_options
from lsnotify.clock import system_clock
from lsnotify.service.alarms.scraper import scraper_of
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify")

SCRAPER_SETTINGS = (*STORE_SETTINGS, "scrape_interval", "scrape_timeout", "scrape_concurrency")


@click.command()
@settings_options(*SCRAPER_SETTINGS)
def scraper(config_file: Path | None, **flags: Any) -> None:
    """Scrape node_exporter targets every SCRAPE_INTERVAL seconds until SIGTERM or Ctrl-C (apart from serve)."""
    settings = command_settings(config_file, flags)

    async def scrape(store: Store, stop: asyncio.Event) -> None:
        scraping = scraper_of(settings, store, system_clock)
        scraping.start()
        await stop.wait()
        await scraping.stop()
        log.info("scraper stopped")

    run_until_stopped(settings, scrape)
