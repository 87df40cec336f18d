"""The dev inbox (the capture provider) as JSON and HTML, its admin token, and GET /metrics, on a real server."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from delivery_harness import FAST_DELIVERY, enqueue_notification
from harness import Account, ServerProcess, running_server, wait_until
from pages import confirm, fetch, verify_link


def request_json(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def messages(server: ServerProcess, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{key}={urllib.request.quote(value)}" for key, value in filters.items())
    status, body = request_json(f"{server.url}/_lsnotify/messages?{query}")
    assert status == 200, body
    found: list[dict[str, Any]] = body["messages"]
    return found


def test_captured_email_and_sms_as_json(server: ServerProcess, account: Account) -> None:
    client = server.client(account)
    client.create_contact_method(protocol="Email", contactEndpoint=f"inbox-{account.account_id}@example.com")
    client.create_contact_method(protocol="SMS", contactEndpoint="+14255550123")
    (verification,) = wait_until(lambda: messages(server, accountId=account.account_id), what="the email")
    assert set(verification) == {
        "id", "protocol", "destination", "subject", "body", "html", "accountId", "region", "createdAt"
    }  # fmt: skip
    assert verification["protocol"] == "Email" and verification["region"] == "us-east-1"
    assert verification["subject"] == "Confirm your email address for Amazon Lightsail notifications"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", verification["createdAt"])
    assert confirm(verify_link(verification["body"])).status == 200

    # An alarm's notification reaches both (now Valid) contact methods, pre-rendered.
    enqueue_notification(
        server, account.account_id, "us-east-1", subject="Alarm: CPU", text="CPU 99%", html="<b>99</b>"
    )
    wait_until(lambda: len(messages(server, accountId=account.account_id)) == 3, what="two notifications")
    found = messages(server, accountId=account.account_id)
    assert found[0] == verification  # oldest first; the two notifications were sent at once, in either order
    (sms,) = [m for m in found if m["protocol"] == "SMS"]
    assert (sms["destination"], sms["subject"], sms["body"], sms["html"]) == ("+14255550123", None, "CPU 99%", None)
    assert [m["subject"] for m in messages(server, accountId=account.account_id, protocol="Email")][1] == "Alarm: CPU"
    assert messages(server, accountId=account.account_id, destination="+14255550123") == [sms]
    assert messages(server, accountId=account.account_id, region="eu-west-1") == []

    status, body = request_json(f"{server.url}/_lsnotify/messages?protocol=Fax")
    assert status == 400 and "protocol" in body["error"]
    status, body = request_json(
        f"{server.url}/_lsnotify/messages?accountId={account.account_id}&protocol=SMS", "DELETE"
    )
    assert (status, body) == (200, {"deleted": 1})
    assert [m["protocol"] for m in messages(server, accountId=account.account_id)] == ["Email", "Email"]


def test_the_html_inbox_lists_newest_first_with_clickable_links(server: ServerProcess, account: Account) -> None:
    client = server.client(account)
    address = f"html-{account.account_id}@example.com"
    client.create_contact_method(protocol="Email", contactEndpoint=address)
    wait_until(lambda: messages(server, accountId=account.account_id), what="the first email")
    client.send_contact_method_verification(protocol="Email")
    wait_until(lambda: len(messages(server, accountId=account.account_id)) == 2, what="the resent email")
    first, second = messages(server, accountId=account.account_id)
    page = fetch(f"{server.url}/_lsnotify/inbox?accountId={account.account_id}")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    old_link, new_link = verify_link(first["body"]), verify_link(second["body"])
    verify_links = [link for link in page.links if "/verify/" in link]
    assert verify_links == [new_link, old_link]  # newest first, each a real link
    assert fetch(old_link).status == 404  # the resend replaced it
    done = confirm(new_link)
    assert done.status == 200 and address in done.text()
    assert client.get_contact_methods()["contactMethods"][0]["status"] == "Valid"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**FAST_DELIVERY, "LSNOTIFY_ADMIN_TOKEN": "let-me-in"}
    yield from running_server(Path(tmp_path_factory.mktemp("guarded")), env=env)


def test_the_admin_token_guards_the_inbox(guarded: ServerProcess) -> None:
    url = f"{guarded.url}/_lsnotify/messages"
    status, body = request_json(url)
    assert status == 401 and "LSNOTIFY_ADMIN_TOKEN" in body["error"]
    assert request_json(url, headers={"Authorization": "Bearer wrong"})[0] == 401
    assert request_json(url, headers={"Authorization": "Bearer let-me-in"}) == (200, {"messages": []})
    basic = base64.b64encode(b"anyone:let-me-in").decode()
    page = fetch(f"{guarded.url}/_lsnotify/inbox", headers={"Authorization": f"Basic {basic}"})
    assert page.status == 200 and "No messages yet" in page.text()
    refused = fetch(f"{guarded.url}/_lsnotify/inbox")
    assert refused.status == 401 and refused.headers["www-authenticate"].startswith("Basic ")


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{") or line.startswith(f"{name} "):
            series, value = line.rsplit(" ", 1)
            found = ",".join(sorted(series[len(name) + 1 : -1].split(","))) if "{" in series else ""
            if found == wanted:
                return float(value)
    return 0.0


def test_metrics_count_requests_latency_outbox_and_deliveries(guarded: ServerProcess) -> None:
    account = guarded.new_account()
    client = guarded.client(account)
    before = fetch(f"{guarded.url}/metrics").html
    for _ in range(3):
        client.get_contact_methods()
    client.create_contact_method(protocol="Email", contactEndpoint="metrics@example.com")
    with contextlib.suppress(client.exceptions.NotFoundException):
        client.delete_contact_method(protocol="SMS")
    wait_until(lambda: metric(fetch(f"{guarded.url}/metrics").html, "lsnotify_outbox_messages", state="sent") >= 1,
               what="the email sent")  # fmt: skip
    response = fetch(f"{guarded.url}/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = response.html

    def grew(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("lsnotify_api_requests_total", operation="GetContactMethods", status="200") == 3
    assert grew("lsnotify_api_requests_total", operation="CreateContactMethod", status="200") == 1
    assert grew("lsnotify_api_requests_total", operation="DeleteContactMethod", status="400") == 1
    assert grew("lsnotify_api_request_duration_seconds_count", operation="GetContactMethods") == 3
    assert metric(after, "lsnotify_api_request_duration_seconds_bucket", operation="GetContactMethods", le="+Inf") >= 3
    assert metric(after, "lsnotify_outbox_messages", state="pending") == 0
    assert metric(after, "lsnotify_outbox_messages", state="dead") == 0
    assert grew("lsnotify_deliveries_total", provider="capture", outcome="sent") == 1
    assert "lsnotify_deliveries_total{" in after and 'outcome="dead"' in after
