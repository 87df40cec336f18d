"""How the ``lsnotify`` command logs: ``time level logger: message``, one line per record, to stderr.

The handler and formatter are logging's own, with two shortcuts the access log (``web.access_log``) takes to write a
batch of lines in one go: ``Formatter.line`` formats a line without a LogRecord, and ``StreamHandler.write_lines``
writes many lines with one write and one flush.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Formatter(logging.Formatter):
    """logging's Formatter, which formats the date and time of each second once rather than once a record."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        return self._asctime(record.created, record.msecs)

    def _asctime(self, created: float, msecs: float) -> str:
        second = int(created)
        cached_second, text = self._second
        if second != cached_second:
            text = time.strftime(self.default_time_format, self.converter(created))
            self._second = (second, text)
        msec_format = self.default_msec_format
        return msec_format % (text, msecs) if msec_format else text

    def is_command_format(self) -> bool:
        return self._fmt == FORMAT and self.datefmt is None and type(self._style) is logging.PercentStyle

    def line(self, created: float, levelname: str, name: str, message: str) -> str:
        """What ``format`` gives a record of these, without an exception, in the command's format."""
        msecs = int((created - int(created)) * 1000) + 0.0  # as LogRecord computes it
        return f"{self._asctime(created, msecs)} {levelname} {name}: {message}"


class StreamHandler(logging.StreamHandler[TextIO]):
    """logging's StreamHandler, which can also write many lines at once."""

    def write_lines(self, lines: Sequence[str]) -> None:
        """Write formatted lines with one write and one flush, as ``emit`` would write them one by one."""
        text = "".join(line + self.terminator for line in lines)
        with self.lock:  # type: ignore[union-attr]
            try:
                self.stream.write(text)
                self.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": text}))
