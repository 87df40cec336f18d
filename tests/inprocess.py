"""A real lsnotify server in a thread of the test process, for tests that inject a clock (no such setting exists).

The clients engineer's ``lsnotify.testing.ThreadedServer`` does the same for users; this one is the tests' own.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from harness import Account, free_port, wait_until
from lsnotify.config import Settings, load_settings
from lsnotify.web.app import Components, build_app


class MovableClock:
    """The system clock plus an offset a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class InProcessServer:
    def __init__(self, data_dir: Path, clock: MovableClock, **settings: Any) -> None:
        self.port = free_port()
        self.settings: Settings = load_settings({"data_dir": str(data_dir), "port": str(self.port), **settings})
        self.components: Components = build_app(self.settings, clock=clock)
        config = uvicorn.Config(
            self.components.app, host="127.0.0.1", port=self.port, lifespan="on", log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="lsnotify-test-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        self._thread.start()
        wait_until(lambda: self._server.started or not self._thread.is_alive(), timeout=30, what="the server")
        assert self._server.started, "the in-process server did not start"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)

    def first_start_account(self) -> Account:
        values = dict(
            line.split(" = ", 1) for line in (self.settings.data_dir / "credentials").read_text().splitlines()
            if " = " in line
        )  # fmt: skip
        account_id = (self.settings.data_dir / "credentials").read_text().rsplit("# account ", 1)[1].strip()
        return Account(account_id, values["aws_access_key_id"], values["aws_secret_access_key"])
