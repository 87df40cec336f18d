"""The access log: one line per API request, handed to logging without its per-call bookkeeping.

``Logger.info`` builds every record from scratch: it walks the stack for the caller's file and line, asks for the
thread, the process and its name, and formats the arguments. Once per request that costs as much as verifying the
request's signature. ``AccessLog`` makes one record in the event loop's thread, keeps its attributes, and gives each
line a copy with only the message and the time changed; the logger then handles it as it would any record, so
levels, filters, handlers and formatters apply as configured.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

_new_record = logging.LogRecord.__new__


class AccessLog:
    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._template: dict[str, Any] = {}

    def write(self, line: str) -> None:
        logger = self._logger
        if not logger.isEnabledFor(logging.INFO):
            return
        template = self._template
        if template.get("thread") != threading.get_ident():
            template = self._template = self._make_template()
        now = time.time()
        record = _new_record(logging.LogRecord)
        attributes = record.__dict__
        attributes.update(template)
        attributes["msg"] = line
        attributes["created"] = now
        attributes["msecs"] = int((now - int(now)) * 1000) + 0.0  # as LogRecord computes it
        attributes["relativeCreated"] = template["relativeCreated"] + (now - template["created"]) * 1000
        logger.handle(record)

    def _make_template(self) -> dict[str, Any]:
        """A record as ``Logger.info`` in this thread would make it, bar the message and the time."""
        record = self._logger.makeRecord(self._logger.name, logging.INFO, __file__, 0, "", (), None, "write")
        return dict(record.__dict__)
