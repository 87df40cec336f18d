"""The ``lsnotify`` command: one click group, ``main``, of the commands each module of this package defines.

``serve`` (serve.py), ``migrate`` (migrate.py), ``keys`` (keys.py), ``worker`` and ``outbox`` (delivery.py),
``resources``, ``alarms`` and ``evaluator`` (alarms.py), ``metrics`` (metrics.py), ``scraper`` (scraper.py); what they
share is in common.py.
"""

from __future__ import annotations

import click

from lsnotify import __version__
from lsnotify.cli.alarms import alarms, evaluator, resources
from lsnotify.cli.delivery import outbox, worker
from lsnotify.cli.keys import keys
from lsnotify.cli.metrics import metrics
from lsnotify.cli.migrate import migrate
from lsnotify.cli.scraper import scraper
from lsnotify.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.version_option(__version__, prog_name="lsnotify")
def main() -> None:
    """lsnotify: the Amazon Lightsail notifications API, self-hosted."""


for command in (serve, migrate, keys, worker, outbox, resources, metrics, alarms, evaluator, scraper):
    main.add_command(command)
