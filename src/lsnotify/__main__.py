"""`python -m lsnotify` runs the command-line interface."""

from __future__ import annotations

from lsnotify.cli import main

main()
