"""This process as the others sharing its database see it: the name that the outbox worker's and the scraper's
claims are leased under, and that their log lines give."""

from __future__ import annotations

import os
import socket


def process_name() -> str:
    """``host:pid``: unique among the processes of every node sharing one database at a time."""
    return f"{socket.gethostname()}:{os.getpid()}"
