"""The browser suite's fixtures: one server (with the capture provider's dev inbox and a fast alarm evaluator) and
one Chromium per module; a fresh browser context and account per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from console_browser import launch, new_context, off_loop
from playwright.sync_api import Browser, Page, sync_playwright

from alarm_helpers import model_data_path
from delivery_harness import FAST_DELIVERY
from harness import Account, ServerProcess, running_server


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**FAST_DELIVERY, "LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1"}
    yield from running_server(tmp_path_factory.mktemp("console"), env=env)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def user(console_server: ServerProcess) -> Account:
    return off_loop(console_server.new_account)


@pytest.fixture
def page(browser: Browser, console_server: ServerProcess) -> Iterator[Page]:
    context = new_context(browser, console_server)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_data_path(tmp_path_factory.mktemp("model"))
