"""``lsnotify serve``: the API, the pages, the outbox worker and the alarm evaluator in one process, on uvicorn (or
in ``--workers`` processes on one port, the first of which runs the outbox worker and the evaluator).

Before the server starts, ``serve`` makes the store ready (migrations, first start, the secret-key check), so that
an unreachable database or another node's secret key ends it with one line rather than a failed lifespan's
traceback; the app's lifespan then only opens the store.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import click

from lsnotify.cli.common import command_settings, configure_logging, one_line_errors, settings_options
from lsnotify.cli.processes import run_processes, settings_of_process
from lsnotify.clock import system_clock
from lsnotify.config import serve_processes
from lsnotify.identity import SecretBox
from lsnotify.storage.factory import open_store


@click.command()
@settings_options()
def serve(config_file: Path | None, **flags: Any) -> None:
    """Serve the API, pages and delivery on HOST:PORT."""
    # imported here, not above: the other commands start faster without the web stack
    import uvicorn

    from lsnotify.web.app import build_app, prepare_store
    from lsnotify.web.server_options import uvicorn_options

    settings = command_settings(config_file, flags)
    configure_logging(settings.log_level)

    async def prepare(box: SecretBox) -> None:
        async with open_store(settings, migrate=False) as store:
            await prepare_store(settings, store, box, system_clock)

    with one_line_errors():
        components = build_app(settings, prepared=True)
        asyncio.run(prepare(components.services.box))
    count = serve_processes(settings)
    if count == 1:
        uvicorn.run(components.app, **uvicorn_options(settings))
        return

    def serve_one(index: int, sock: socket.socket) -> None:
        own = settings_of_process(settings, index)
        app = build_app(own, prepared=True).app
        uvicorn.Server(uvicorn.Config(app, **uvicorn_options(own))).run(sockets=[sock])

    sock = uvicorn.Config(components.app, **uvicorn_options(settings)).bind_socket()
    sys.exit(run_processes(count, sock, serve_one))
