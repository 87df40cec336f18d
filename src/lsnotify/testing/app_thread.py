"""An lsnotify app, as ``build_app`` composes it, on its own event loop in a daemon thread.

The loop thread runs the app's lifespan (open the store, migrate, first start; close on stop) and every coroutine
handed to it with ``run`` or ``submit`` (``asyncio.run_coroutine_threadsafe``), so the store is only ever used from
the loop that opened it, whichever thread the caller is on. ``mock_lightsail`` sends requests to it in-process;
``ThreadedServer`` adds a uvicorn server on the same loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from lsnotify.clock import Clock, system_clock
from lsnotify.config import Settings
from lsnotify.identity import issue_access_key
from lsnotify.testing.asgi import Lifespan
from lsnotify.testing.credentials import Credentials
from lsnotify.web.app import Components, build_app

T = TypeVar("T")

STARTUP_TIMEOUT = 60.0
"""Seconds a start or stop may take before it is reported as hung (generous: CI machines are shared)."""


class AppThread:
    def __init__(self, settings: Settings, *, clock: Clock = system_clock, name: str = "lsnotify-app") -> None:
        self.settings = settings
        self.clock = clock
        self.components: Components = build_app(settings, clock=clock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name=name, daemon=True)
        self._lifespan: Lifespan | None = None

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the loop thread and the app's lifespan; raise the app's error if it does not start."""
        self._thread.start()
        try:
            self.run(self._startup(), timeout=STARTUP_TIMEOUT)
        except BaseException:
            self._halt()
            raise

    def stop(self) -> None:
        """Run the app's shutdown (the store finishes its writes and closes), then end the thread."""
        if not self._thread.is_alive():
            return
        try:
            if self._lifespan is not None:
                self.run(self._lifespan.shutdown(), timeout=STARTUP_TIMEOUT)
        finally:
            self._halt()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the app's loop and wait for its result (from any thread but the loop's own)."""
        return self.submit(coro).result(timeout)

    async def first_credentials(self) -> Credentials:
        """The oldest access key: the one created on first start of an empty data directory."""
        store, box = self.components.store, self.components.services.box
        keys = await store.list_access_keys()
        if not keys:
            raise RuntimeError(f"the store in {self.settings.data_dir} has no access key")
        return Credentials(keys[0].access_key_id, box.open(keys[0].secret_sealed), keys[0].account_id)

    async def issue_key(
        self, account_id: str | None, access_key_id: str | None = None, secret_access_key: str | None = None
    ) -> Credentials:
        services = self.components.services
        issued = await issue_access_key(
            services.store,
            services.box,
            account_id,
            self.clock(),
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )
        return Credentials(issued.key.access_key_id, issued.secret_access_key, issued.key.account_id)

    async def _startup(self) -> None:
        self._lifespan = Lifespan(self.components.app)
        await self._lifespan.startup()

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:  # in this thread: the caller's thread may be running a loop of its own
            leftovers = asyncio.all_tasks(self._loop)
            for task in leftovers:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def _halt(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
