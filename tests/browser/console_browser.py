"""Driving the web console in a real browser: Debian's Chromium under Playwright, and the steps tests share.

Playwright's own browser download cannot run here, so it launches the system's ``/usr/bin/chromium``
(``scripts/system-deps`` installs it). Pages are opened with JavaScript off: the console must work without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from harness import Account, ServerProcess

T = TypeVar("T")

CHROMIUM = os.environ.get("LSNOTIFY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def off_loop(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` in another thread: Playwright's sync API keeps an event loop running in this one, so a
    harness helper that runs its own (``asyncio.run``) must run elsewhere."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call, *args).result()


def launch(playwright: Playwright) -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"the browser tests need Chromium at {CHROMIUM}: run scripts/system-deps")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_context(browser: Browser, server: ServerProcess, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=server.url, java_script_enabled=False, **options)
    context.set_default_timeout(10_000)
    return context


def sign_in(page: Page, account: Account, secret: str | None = None) -> None:
    """Sign in from ``/`` with the labelled inputs, by keyboard: type, Tab, type, Enter."""
    page.goto("/")
    page.get_by_label("Access key ID").fill(account.access_key_id)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Secret access key")).to_be_focused()
    page.keyboard.type(secret if secret is not None else account.secret_access_key)
    page.keyboard.press("Enter")


def signed_in(page: Page, account: Account) -> None:
    sign_in(page, account)
    expect(page.get_by_role("heading", name="Notification contacts", level=1)).to_be_visible()
    expect(page.get_by_text(f"Account {account.account_id}")).to_be_visible()


def section(page: Page, name: str) -> Any:
    """The page's region (a ``<section>`` with a heading) named ``name``."""
    return page.get_by_role("region", name=re.compile(f"^{re.escape(name)}$"))
