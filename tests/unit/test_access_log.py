"""The access log and the command's log format: what logging itself would print, only cheaper."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import time

import pytest

from lsnotify import logs
from lsnotify.web.access_log import MAX_SHOWN, AccessLog, printable

LINE = "req-1 GetContactMethods 200 0.4ms account=123456789012 region=us-east-1"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class CountingStream(io.StringIO):
    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.fixture
def logger() -> logging.Logger:
    """A logger outside logging's hierarchy, so that pytest's log capture does not add its handlers to it."""
    return logging.Logger("lsnotify.test-access-log", logging.INFO)


def command_handler(logger: logging.Logger) -> tuple[logs.StreamHandler, CountingStream]:
    stream = CountingStream()
    handler = logs.StreamHandler(stream)
    handler.setFormatter(logs.Formatter(logs.FORMAT))
    logger.addHandler(handler)
    return handler, stream


def test_a_line_is_a_record_like_one_from_logger_info(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    before = time.time()
    logger.info("reference")
    AccessLog(logger).write(LINE)
    reference, record = keep.records
    assert record.getMessage() == LINE
    assert (record.name, record.levelno, record.levelname) == (logger.name, logging.INFO, "INFO")
    assert (record.thread, record.process, record.processName) == (threading.get_ident(), os.getpid(), "MainProcess")
    assert record.threadName == reference.threadName
    assert before <= record.created <= time.time()
    assert record.msecs == int((record.created - int(record.created)) * 1000)
    assert record.relativeCreated >= reference.relativeCreated
    assert record.exc_info is None and record.args == ()


def test_in_an_event_loop_the_lines_of_one_iteration_are_written_at_the_next(logger: logging.Logger) -> None:
    keep = Keep()
    logger.addHandler(keep)
    access = AccessLog(logger)

    async def serve() -> list[list[str]]:
        seen = []
        for batch in (["a", "b", "c"], ["d"]):
            for line in batch:
                access.write(line)
                time.sleep(0.001)
            seen.append([record.getMessage() for record in keep.records])
            await asyncio.sleep(0)
        seen.append([record.getMessage() for record in keep.records])
        return seen

    assert asyncio.run(serve()) == [[], ["a", "b", "c"], ["a", "b", "c", "d"]]
    times = [record.created for record in keep.records]
    assert times == sorted(times) and len(set(times)) == 4  # each line keeps the time it was written


def test_levels_and_filters_apply_as_configured(logger: logging.Logger) -> None:
    keep = Keep()
    quiet = logging.Logger("lsnotify.quiet", logging.WARNING)
    quiet.addHandler(keep)
    AccessLog(quiet).write("not logged: below the level")
    logger.addHandler(keep)
    logger.addFilter(lambda record: "secret" not in record.getMessage())
    access = AccessLog(logger)
    access.write("a secret line")
    access.write("a plain line")
    assert [record.getMessage() for record in keep.records] == ["a plain line"]


def test_the_command_handler_gets_a_batch_in_one_write_as_logging_would_print_it(logger: logging.Logger) -> None:
    _, stream = command_handler(logger)
    access = AccessLog(logger)

    async def serve() -> None:
        for n in range(5):
            access.write(f"{LINE} {n}")
        await asyncio.sleep(0)

    asyncio.run(serve())
    assert stream.writes == 1
    lines = stream.getvalue().splitlines()
    assert [line.split(" INFO ")[1] for line in lines] == [f"{logger.name}: {LINE} {n}" for n in range(5)]
    plain = logging.Formatter(logs.FORMAT)
    stamp = lines[0].split(" INFO ")[0]
    record = logging.makeLogRecord({"name": logger.name, "levelname": "INFO", "msg": f"{LINE} 0"})
    record.created = time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + int(stamp[20:]) / 1000 + 0.0001
    record.msecs = int(stamp[20:]) + 0.0
    assert plain.format(record) == lines[0]


@pytest.mark.parametrize("other", ["a second handler", "a filter", "another format"])
def test_otherwise_each_line_goes_through_logging(logger: logging.Logger, other: str) -> None:
    handler, stream = command_handler(logger)
    keep = Keep()
    if other == "a second handler":
        logger.addHandler(keep)
    elif other == "a filter":
        handler.addFilter(lambda record: keep.records.append(record) or True)
    else:
        handler.setFormatter(logs.Formatter("%(levelname)s|%(message)s"))
    access = AccessLog(logger)
    access.write("one")
    access.write("two")
    assert stream.writes == 2
    if other == "another format":
        assert stream.getvalue() == "INFO|one\nINFO|two\n"
    else:
        assert [record.getMessage() for record in keep.records] == ["one", "two"]


def test_the_command_formatter_prints_what_logging_formatter_prints() -> None:
    ours, theirs = logs.Formatter(logs.FORMAT), logging.Formatter(logs.FORMAT)
    moments = [1_700_000_000.0, 1_700_000_000.25, 1_700_000_000.999, 1_700_000_001.0, 1_700_000_061.5, 1_600_000_000.5]
    for moment in moments:
        record = logging.LogRecord("lsnotify.api", logging.INFO, __file__, 1, "a line", (), None)
        record.created, record.msecs = moment, int((moment - int(moment)) * 1000) + 0.0
        assert ours.format(record) == theirs.format(record), moment
        assert ours.line(moment, "INFO", "lsnotify.api", "a line") == theirs.format(record), moment
    record.created = 1_700_000_000.0
    assert ours.formatTime(record, "%H:%M") == theirs.formatTime(record, "%H:%M")


def test_the_command_logs_through_that_handler_and_formatter() -> None:
    from lsnotify.cli.common import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("info")
        (handler,) = root.handlers
        assert type(handler) is logs.StreamHandler and isinstance(handler.formatter, logs.Formatter)
        stream = io.StringIO()
        handler.setStream(stream)
        AccessLog(logging.getLogger("lsnotify.api")).write("req-2 TagResource 200 1.2ms account=- region=-")
        line = stream.getvalue()
        assert line.endswith(" INFO lsnotify.api: req-2 TagResource 200 1.2ms account=- region=-\n"), line
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("GetContactMethods", "GetContactMethods"),
        ("Get\nContact\r\x1b[31mMethods\t", "Get\\nContact\\r\\x1b[31mMethods\\t"),
        ("caf\x85\u2028\ud800", "caf\\x85\\u2028\\ud800"),
        ("A" * MAX_SHOWN, "A" * MAX_SHOWN),
        ("A" * 20_000, "A" * MAX_SHOWN + "…(20000 characters)"),
        ("\x00" * 1000, "\\x00" * MAX_SHOWN + "…(1000 characters)"),
    ],
)
def test_client_text_is_escaped_and_cut_short(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text).isprintable()
