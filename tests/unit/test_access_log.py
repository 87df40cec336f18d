"""The access log's records and the command's log format: the same as logging's own, only made faster."""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from collections.abc import Iterator

import pytest

from lsnotify import logs
from lsnotify.web.access_log import AccessLog


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("lsnotify.test-access-log")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger
    logger.handlers.clear()


def test_a_line_is_a_record_like_one_from_logger_info(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    before = time.time()
    logger.info("reference")
    AccessLog(logger).write("req-1 GetContactMethods 200 0.4ms account=123456789012 region=us-east-1")
    reference, record = keep.records
    assert record.getMessage() == "req-1 GetContactMethods 200 0.4ms account=123456789012 region=us-east-1"
    assert (record.name, record.levelno, record.levelname) == (logger.name, logging.INFO, "INFO")
    assert (record.thread, record.process, record.processName) == (threading.get_ident(), os.getpid(), "MainProcess")
    assert record.threadName == reference.threadName
    assert before <= record.created <= time.time()
    assert record.msecs == int((record.created - int(record.created)) * 1000)
    assert record.relativeCreated >= reference.relativeCreated
    assert record.exc_info is None and record.args == ()


def test_each_line_has_its_own_time_and_message(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    access = AccessLog(logger)
    access.write("first")
    time.sleep(0.002)
    access.write("second")
    first, second = keep.records
    assert (first.getMessage(), second.getMessage()) == ("first", "second")
    assert second.created > first.created


def test_levels_and_filters_apply_as_configured(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    access = AccessLog(logger)
    logger.setLevel(logging.WARNING)
    access.write("not logged: below the level")
    logger.setLevel(logging.INFO)
    logger.addFilter(lambda record: "secret" not in record.getMessage())
    access.write("a secret line")
    access.write("a plain line")
    assert [record.getMessage() for record in keep.records] == ["a plain line"]


def test_a_line_written_from_another_thread_names_that_thread(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    access = AccessLog(logger)
    access.write("from the main thread")
    worker = threading.Thread(target=access.write, args=("from a worker",), name="access-log-worker")
    worker.start()
    worker.join()
    assert [record.threadName for record in keep.records] == [threading.current_thread().name, "access-log-worker"]


def test_the_command_formatter_prints_what_logging_formatter_prints() -> None:
    ours, theirs = logs.Formatter(logs.FORMAT), logging.Formatter(logs.FORMAT)
    moments = [1_700_000_000.0, 1_700_000_000.25, 1_700_000_000.999, 1_700_000_001.0, 1_700_000_061.5, 1_600_000_000.5]
    for moment in moments:
        record = logging.LogRecord("lsnotify.api", logging.INFO, __file__, 1, "a line", (), None)
        record.created, record.msecs = moment, int((moment - int(moment)) * 1000) + 0.0
        assert ours.format(record) == theirs.format(record), moment
    record.created = 1_700_000_000.0
    assert ours.formatTime(record, "%H:%M") == theirs.formatTime(record, "%H:%M")


def test_the_command_logs_through_that_formatter() -> None:
    from lsnotify.cli import _configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        _configure_logging("info")
        (handler,) = root.handlers
        assert isinstance(handler.formatter, logs.Formatter)
        stream = io.StringIO()
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        AccessLog(logging.getLogger("lsnotify.api")).write("req-2 TagResource 200 1.2ms account=- region=-")
        line = stream.getvalue()
        assert line.endswith(" INFO lsnotify.api: req-2 TagResource 200 1.2ms account=- region=-\n"), line
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
