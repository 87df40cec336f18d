"""The loop watch inside the real app: ``/metrics`` has the lag histogram, and a request whose handler holds the
event loop is logged with its request id and operation (signed requests in-process, see tests/signed_app.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lsnotify.context import RequestContext
from lsnotify.service import Services
from lsnotify.service.api import OPERATIONS
from signed_app import SignedApp, running


@pytest.fixture
def app(tmp_path: Path) -> Iterator[SignedApp]:
    yield from running(tmp_path / "data")


def test_metrics_has_the_event_loop_lag_histogram(app: SignedApp) -> None:
    time.sleep(0.1)  # a few ticks of the watch
    response = app.get("/metrics")
    assert response.status == 200
    text = response.body.decode()
    assert "# TYPE lsnotify_event_loop_lag_seconds histogram" in text
    count = next(line for line in text.splitlines() if line.startswith("lsnotify_event_loop_lag_seconds_count"))
    assert float(count.split()[1]) >= 1


def test_a_handler_that_holds_the_loop_is_logged(
    app: SignedApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    served = OPERATIONS["GetContactMethods"]

    async def blocking(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.2)  # what a slow synchronous query or a runaway regular expression would do
        return await served(svc, ctx, params)

    with caplog.at_level(logging.WARNING, logger="lsnotify.loop"):
        quick = app.call("GetContactMethods", {})
        monkeypatch.setitem(OPERATIONS, "GetContactMethods", blocking)
        slow = app.call("GetContactMethods", {})
        time.sleep(0.05)
    assert (quick.status, slow.status) == (200, 200)
    (record,) = [r for r in caplog.records if r.name == "lsnotify.loop"]
    message = record.getMessage()
    assert record.levelname == "WARNING"
    assert f"during request {slow.headers['x-amzn-requestid']} (GetContactMethods)" in message, message
    assert quick.headers["x-amzn-requestid"] not in message
