"""``make screenshots``: pictures of the console's main pages for the README, taken in Chromium.

Starts a throwaway server, fills an account with what the pages show (a verified email, an SMS number, an instance
with an hour of CPU data and an alarm that goes off), and saves each page as a PNG in the folder given
(``docs/console``). Run with ``tests`` and ``tests/browser`` on ``PYTHONPATH``, as the Makefile does.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from console_browser import launch, new_context, off_loop, section, signed_in
from playwright.sync_api import Page, expect, sync_playwright

from alarm_helpers import lsnotify_client, model_data_path, verify_email
from delivery_harness import FAST_DELIVERY
from harness import Account, ServerProcess, wait_until

CPU = [18.0, 21.0, 24.0, 22.0, 30.0, 34.0, 41.0, 55.0, 68.0, 79.0, 86.0, 91.0]
"""An hour of CPU utilization, oldest first, climbing past the alarm's threshold."""


def populate(page: Page, server: ServerProcess, account: Account, model: Path) -> None:
    page.get_by_label("Email address").fill("ops@example.com")
    page.get_by_role("button", name="Add email address").click()
    off_loop(verify_email, server, account)
    page.get_by_label("Phone number").fill("+14255550123")
    page.get_by_role("button", name="Add SMS number").click()
    now = time.time()
    lsnotify_client(server, account, model).put_metric_data(
        resourceType="Instance",
        resourceName="web-1",
        metricName="CPUUtilization",
        datapoints=[{"timestamp": now - 300 * (len(CPU) - 1 - i), "value": v} for i, v in enumerate(CPU)],
    )
    page.goto("/console/us-east-1/resources/web-1/alarms/new?metricName=CPUUtilization")
    page.get_by_label("Alarm name").fill("cpu-high")
    page.get_by_label("Threshold").fill("75")
    page.get_by_label("Evaluation periods (of 5 minutes)").fill("3")
    page.get_by_label("Datapoints to alarm").fill("2")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_role("button", name="Add alarm").click()
    banner = page.get_by_role("alert").filter(has_text="In ALARM")
    wait_until(lambda: page.reload() and banner.count() == 1, timeout=20, what="the alarm to go off")


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        env = {**FAST_DELIVERY, "LSNOTIFY_ALARM_EVALUATION_INTERVAL": "1"}
        server = ServerProcess(Path(tmp) / "data", env=env).start()
        try:
            account = off_loop(server.new_account)
            model = model_data_path(Path(tmp) / "model")
            browser = launch(playwright)
            context = new_context(browser, server, viewport={"width": 1200, "height": 800})
            page = context.new_page()
            page.goto("/")
            page.screenshot(path=folder / "sign-in.png")
            signed_in(page, account)
            populate(page, server, account, model)
            page.goto("/console/us-east-1/")
            page.screenshot(path=folder / "contacts.png", full_page=True)
            page.goto("/console/us-east-1/resources/web-1")
            expect(section(page, "cpu-high")).to_be_visible()
            page.screenshot(path=folder / "resource.png", full_page=True)
            page.goto("/console/us-east-1/alarms/cpu-high/edit")
            page.screenshot(path=folder / "alarm-form.png", full_page=True)
            page.goto("/console/us-east-1/operations")
            page.screenshot(path=folder / "operations.png")
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto("/console/us-east-1/resources/web-1")
            page.screenshot(path=folder / "resource-360px.png")
            browser.close()
        finally:
            server.stop()
    print("\n".join(str(path) for path in sorted(folder.glob("*.png"))))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/console"))
