"""Which process of ``serve --workers N`` runs the background work: the first, and only it."""

from __future__ import annotations

from pathlib import Path

from lsnotify.cli.processes import settings_of_process
from lsnotify.config import Settings


def test_only_the_first_process_delivers_evaluates_and_scrapes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first, second = settings_of_process(settings, 0), settings_of_process(settings, 1)
    assert (first.run_worker, first.evaluate_alarms, first.run_scraper) == (True, True, True)
    assert (second.run_worker, second.evaluate_alarms, second.run_scraper) == (False, False, False)
