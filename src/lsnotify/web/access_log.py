"""The access log: one line per API request, at a small fraction of what ``Logger.info`` costs per line.

``Logger.info`` builds every record from scratch (it walks the stack for the caller's line, asks for the thread, the
process and its name), passes it through the logger hierarchy, and the handler formats, writes and flushes it alone:
once per request, that costs as much as verifying the request's signature. ``AccessLog`` keeps the lines of one
event-loop iteration, with their times, and hands them over together at the start of the next: as one write to the
command's own handler and format (``lsnotify.logs``) when that is the only place they would go; otherwise as records,
one by one, to the logger, so that levels, filters, handlers and formatters apply as configured.

``printable`` is how a line shows what a client sent: escaped, so that it cannot forge lines or control a terminal,
and cut short, so that it cannot fill the disk.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lsnotify.logs import Formatter, StreamHandler

_new_record = logging.LogRecord.__new__

MAX_SHOWN = 128
"""Characters of one client-supplied text a log line shows."""


def printable(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` with each character that is not printable (line breaks, escape, other controls) escaped as Python
    escapes it, and, when it is longer than ``limit``, cut to its first ``limit`` characters, then ``…`` and the
    length it had."""
    if len(text) <= limit and text.isprintable():
        return text
    shown = text[:limit]
    if not shown.isprintable():
        shown = "".join(char if char.isprintable() else repr(char)[1:-1] for char in shown)
    return shown if len(text) <= limit else f"{shown}…({len(text)} characters)"


class AccessLog:
    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._pending: list[tuple[float, str]] = []

    def write(self, line: str) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        pending = self._pending
        pending.append((time.time(), line))
        if len(pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop to flush at the end of its iteration: now, then
                self.flush()

    def flush(self) -> None:
        """Hand the kept lines to logging."""
        lines, self._pending = self._pending, []
        handler = self._only_handler()
        formatter = handler.formatter if handler is not None else None
        if handler is not None and type(formatter) is Formatter and formatter.is_command_format():
            name = self._logger.name
            handler.write_lines([formatter.line(created, "INFO", name, line) for created, line in lines])
            return
        template = self._template()
        for created, line in lines:
            record = _new_record(logging.LogRecord)
            attributes = record.__dict__
            attributes.update(template)
            attributes["msg"] = line
            attributes["created"] = created
            attributes["msecs"] = int((created - int(created)) * 1000) + 0.0  # as LogRecord computes it
            attributes["relativeCreated"] = template["relativeCreated"] + (created - template["created"]) * 1000
            self._logger.handle(record)

    def _only_handler(self) -> StreamHandler | None:
        """The command's handler, when it is the one place the lines go and nothing filters them."""
        found: list[logging.Handler] = []
        logger: logging.Logger | None = self._logger
        while logger is not None:
            if logger.filters or logger.disabled:
                return None
            found += logger.handlers
            logger = logger.parent if logger.propagate else None
        if len(found) != 1 or type(found[0]) is not StreamHandler:
            return None
        handler = found[0]
        return handler if not handler.filters and handler.level <= logging.INFO else None

    def _template(self) -> dict[str, Any]:
        """A record as ``Logger.info`` would make it here, bar the message and the time."""
        record = self._logger.makeRecord(self._logger.name, logging.INFO, __file__, 0, "", (), None, "write")
        return dict(record.__dict__)
