"""Verification expiry and resend, with the server's clock moved forward (an in-process server, injected clock)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from botocore.config import Config

from harness import wait_until
from lsnotify.clock import OffsetClock
from lsnotify.config import load_settings
from lsnotify.testing import ThreadedServer
from pages import confirm, fetch, verify_link

TTL = 60.0


def inbox_bodies(server: ThreadedServer) -> list[str]:
    with urllib.request.urlopen(f"{server.url}/_lsnotify/messages?protocol=Email", timeout=10) as response:
        return [m["body"] for m in json.loads(response.read())["messages"]]


def test_an_unverified_email_expires_and_a_resend_restarts_it(tmp_path: Path) -> None:
    clock = OffsetClock()
    settings = load_settings(
        {"data_dir": str(tmp_path / "data"), "verification_ttl": TTL, "worker_poll_interval": 0.05}
    )
    server = ThreadedServer(settings, clock=clock).start()
    try:
        client = server.client(config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        client.create_contact_method(protocol="Email", contactEndpoint="late@example.com")
        (first_body,) = wait_until(lambda: inbox_bodies(server), what="the verification email")
        first_link = verify_link(first_body)

        clock.advance(TTL + 1)
        (expired,) = client.get_contact_methods()["contactMethods"]
        assert expired["status"] == "Invalid" and "contactEndpoint" not in expired
        page = fetch(first_link)
        assert page.status == 404 and "expired" in page.text() and page.forms == []
        assert fetch(first_link, method="POST").status == 404
        assert client.get_contact_methods()["contactMethods"][0]["status"] == "Invalid"

        client.send_contact_method_verification(protocol="Email")
        (pending,) = client.get_contact_methods()["contactMethods"]
        assert (pending["status"], pending["contactEndpoint"]) == ("PendingVerification", "late@example.com")
        wait_until(lambda: len(inbox_bodies(server)) == 2, what="the new verification email")
        second_link = verify_link(inbox_bodies(server)[1])
        assert second_link != first_link

        clock.advance(TTL - 5)  # the new link has a fresh TTL
        assert client.get_contact_methods()["contactMethods"][0]["status"] == "PendingVerification"
        assert confirm(second_link).status == 200
        clock.advance(TTL * 10)
        assert client.get_contact_methods()["contactMethods"][0]["status"] == "Valid"  # Valid never expires
        assert fetch(first_link).status == 404
    finally:
        server.stop()
