"""``serve --workers N``: N server processes answering on one listening socket.

The parent binds the socket, forks the processes and waits. Each process builds its own app (store connections,
caches, metrics) after the fork and serves the inherited socket with uvicorn; the kernel hands each new connection
to one of them. Only process 0 runs the background work that must happen once (the outbox worker, the alarm
evaluator): the others are started with those settings off. The parent passes SIGTERM and SIGINT on to every
process as SIGTERM (a graceful shutdown); when one process ends on its own, the parent stops the others and ends
too, so the background work never silently stops while the API goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

from lsnotify.config import Settings

log = logging.getLogger("lsnotify")


def settings_of_process(settings: Settings, index: int) -> Settings:
    """Process ``index``'s settings: the first runs the background work the settings ask for, the others none."""
    if index == 0:
        return settings
    return dataclasses.replace(settings, run_worker=False, evaluate_alarms=False, run_scraper=False)


def run_processes(count: int, sock: socket.socket, serve: Callable[[int, socket.socket], None]) -> int:
    """Fork ``count`` processes that each run ``serve(index, sock)`` and wait for all of them. After a signal, end by
    it once they have; otherwise return the exit status: 0 when they all ended cleanly, 1 when one failed."""
    children: dict[int, int] = {}
    received: int | None = None
    for index in range(count):
        pid = os.fork()
        if pid == 0:
            _run_child(index, sock, serve)
        children[pid] = index
    sock.close()
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping, received
        stopping = True
        received = signum
        _signal_all(children)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        if pid not in children:
            continue
        index = children.pop(pid)
        code = os.waitstatus_to_exitcode(wait_status)
        if not stopping:
            log.error("server process %d (pid %d) ended with %d; stopping the others", index, pid, code)
            stopping = True
            status = 1
            _signal_all(children)
    if received is not None and status == 0:
        # as a single uvicorn process does: end by the signal received, once everything has shut down
        signal.signal(received, signal.SIG_DFL)
        os.kill(os.getpid(), received)
    return status


def _run_child(index: int, sock: socket.socket, serve: Callable[[int, socket.socket], None]) -> None:
    # Its own process group: a terminal's Ctrl-C reaches the parent only, which passes it on once, as SIGTERM
    # (uvicorn ends at once, without its graceful shutdown, on a second signal).
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    code = 1
    try:
        serve(index, sock)
        code = 0
    except BaseException:
        log.exception("server process %d failed", index)
    finally:
        logging.shutdown()
        os._exit(code)


def _signal_all(children: dict[int, int]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
