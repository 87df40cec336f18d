"""The admin token that guards ``/_lsnotify/*``: the configured one, or, for a server listening on a non-loopback
address without one, a token generated on its first start and kept in the data directory (``admin-token``, 0600).

The generated token is logged once, when it is made; later starts say only where it is kept.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from lsnotify.config import Settings
from lsnotify.files import write_private
from lsnotify.web.hosts import is_loopback

ADMIN_TOKEN_FILE = "admin-token"

log = logging.getLogger("lsnotify")


def needs_admin_token(host: str) -> bool:
    """Whether a server listening on ``host`` must guard ``/_lsnotify/*`` with a token: it is reachable from other
    machines (``0.0.0.0``, ``::``, a name or address of a network interface)."""
    return not is_loopback(host)


def admin_token(settings: Settings) -> str:
    """The token ``/_lsnotify/*`` asks for; empty when there is none (a loopback server without ``admin_token``)."""
    if settings.admin_token or not needs_admin_token(settings.host):
        return settings.admin_token
    path = settings.data_dir / ADMIN_TOKEN_FILE
    kept = _read(path)
    if kept:
        log.info("the dev inbox (/_lsnotify/*) asks for the admin token kept in %s", path)
        return kept
    token = secrets.token_urlsafe(32)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(path, token + "\n")
    log.warning(
        "lsnotify listens on %s without an admin token: generated one for /_lsnotify/*, kept in %s "
        "(shown this once): %s",
        settings.host,
        path,
        token,
    )
    return token


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        return ""
