"""Ending a background loop (the alarm evaluator, the scraper): let its task finish what it is doing, within a time
limit, then cancel it."""

from __future__ import annotations

import asyncio
import contextlib
import logging


async def finish(task: asyncio.Task[None], timeout: float, what: str, log: logging.Logger) -> None:
    """Wait up to ``timeout`` seconds for ``task`` (whose loop has been told to stop), then cancel it."""
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
    except TimeoutError:
        log.warning("%s did not stop within %g seconds; cancelling it", what, timeout)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
