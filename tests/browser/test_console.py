"""The web console in a real browser (Chromium, JavaScript off), against a real server and its dev inbox."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any

from console_browser import new_context, off_loop, section, sign_in, signed_in
from playwright.sync_api import Browser, Page, expect

from alarm_helpers import lsnotify_client, verify_email
from harness import Account, ServerProcess, wait_until
from lsnotify.domain import KEY_INACTIVE
from lsnotify.identity import SecretBox
from lsnotify.storage.base import MessageFilter, Store
from lsnotify.web.console.limiter import ATTEMPTS
from lsnotify.web.console.routes import WRONG_PAIR


def captured(server: ServerProcess, account: Account) -> list[Any]:
    async def read(store: Store, box: SecretBox) -> list[Any]:
        return await store.list_captured_messages(MessageFilter(account_id=account.account_id))

    found: list[Any] = off_loop(server.run_store, read)
    return found


def test_contacts_add_verify_from_the_dev_inbox_and_sms(
    page: Page, console_server: ServerProcess, user: Account
) -> None:
    signed_in(page, user)
    expect(page.get_by_label("Region")).to_have_value("us-east-1")
    # By keyboard: the first Tab offers to skip the navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # A refusal of the service is shown next to the field it is about, with what was typed.
    sms = section(page, "SMS")
    sms.get_by_label("Phone number").fill("12345")
    sms.get_by_role("button", name="Add SMS number").click()
    expect(page.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#add-SMS-contactEndpoint-error")).to_contain_text("is not an E.164 phone number")
    expect(page.get_by_label("Phone number")).to_have_value("12345")

    address = f"console-{user.account_id}@example.com"
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Add email address").click()
    email = section(page, "Email")
    expect(email.get_by_text("PendingVerification")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Check the inbox of {address}")

    email.get_by_role("button", name="Resend verification").click()
    mails = wait_until(lambda: len(captured(console_server, user)) == 2 and captured(console_server, user))
    link = re.search(r"https?://\S+/verify/\S+", mails[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()
    page.goto("/")
    email = section(page, "Email")
    expect(email.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)

    page.get_by_label("Phone number").fill("+14255550123")
    page.get_by_role("button", name="Add SMS number").click()
    sms = section(page, "SMS")
    expect(sms.get_by_text("+14255550123")).to_be_visible()
    expect(sms.get_by_text("Valid", exact=True)).to_be_visible()

    # The region scopes every page: eu-central-1 has none of this.
    page.get_by_label("Region").select_option("eu-central-1")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(re.compile("/console/eu-central-1/$"))
    expect(page.get_by_label("Email address")).to_be_visible()
    page.get_by_label("Region").select_option("us-east-1")
    page.get_by_role("button", name="Switch").click()

    sms = section(page, "SMS")
    sms.get_by_role("button", name="Delete").click()
    expect(page.get_by_label("Phone number")).to_be_visible()

    page.get_by_role("link", name="Operations").click()
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("DeleteContactMethod")
    for operation in ("CreateContactMethod", "SendContactMethodVerification"):
        expect(page.get_by_role("cell", name=operation, exact=True).first).to_be_visible()


def put_metric(server: ServerProcess, account: Account, model_path: Path, name: str, values: list[float]) -> None:
    client = lsnotify_client(server, account, model_path)
    now = time.time()
    client.put_metric_data(
        resourceType="Instance",
        resourceName=name,
        metricName="CPUUtilization",
        datapoints=[{"timestamp": now - 300 * i, "value": v} for i, v in enumerate(values)],
    )


def test_resource_graph_and_the_alarm_lifecycle(
    page: Page, console_server: ServerProcess, user: Account, model_path: Path
) -> None:
    signed_in(page, user)
    page.get_by_label("Email address").fill(f"alarms-{user.account_id}@example.com")
    page.get_by_role("button", name="Add email address").click()
    off_loop(verify_email, console_server, user)

    page.get_by_role("link", name="Resources").click()
    page.get_by_label("Resource name").fill("bad name!")
    page.get_by_role("button", name="Add resource").click()
    expect(page.locator("#add-resource-resourceName-error")).to_contain_text("is not a valid resource name")
    page.get_by_label("Resource type").select_option("Instance")
    page.get_by_label("Resource name").fill("web-1")
    page.get_by_role("button", name="Add resource").click()
    put_metric(console_server, user, model_path, "web-1", [90.0, 85.0, 20.0])
    page.get_by_role("link", name="web-1").click()

    cpu = page.get_by_role("img", name="CPUUtilization (Average, Percent), last 1 hour")
    expect(cpu).to_be_visible()
    assert cpu.locator("circle.point").count() == 3
    page.get_by_role("link", name="1 week").click()
    expect(page.get_by_role("img", name="CPUUtilization (Average, Percent), last 1 week")).to_be_visible()

    page.get_by_role("link", name="Add alarm").click()
    expect(page.get_by_label("Evaluation periods (of 5 minutes)")).to_have_value("1")
    expect(page.get_by_label("Datapoints to alarm")).to_have_value("1")
    expect(page.get_by_label("Send notifications")).to_be_checked()
    expect(page.get_by_label("ALARM", exact=True)).to_be_checked()
    expect(page.get_by_label("Email", exact=True)).to_be_checked()
    page.get_by_label("Alarm name").fill("cpu-high")
    page.get_by_label("Metric").select_option("CPUUtilization")
    page.get_by_label("Threshold").fill("lots")
    page.get_by_role("button", name="Add alarm").click()
    expect(page.locator("#alarm-threshold-error")).to_contain_text("must be a number")
    page.get_by_label("Threshold").fill("95")
    page.get_by_label("Datapoints to alarm").fill("3")
    page.get_by_role("button", name="Add alarm").click()
    expect(page.locator("#alarm-datapointsToAlarm-error")).to_contain_text("must be 1 to evaluationPeriods (1)")
    page.get_by_label("Datapoints to alarm").fill("1")
    page.get_by_label("Tags").fill("aws:team=web")
    page.get_by_role("button", name="Add alarm").click()
    expect(page.locator("#alarm-tags-error")).to_contain_text("the aws: prefix is reserved")
    page.get_by_label("Tags").fill("team=web\nurgent")
    page.get_by_role("button", name="Add alarm").click()

    alarm = section(page, "cpu-high")
    (created,) = console_server.client(user).get_alarms(alarmName="cpu-high")["alarms"]
    assert created["tags"] == [{"key": "team", "value": "web"}, {"key": "urgent"}]
    assert (created["evaluationPeriods"], created["treatMissingData"], created["contactProtocols"]) == (
        1,
        "missing",
        ["Email"],
    )
    expect(alarm).to_contain_text("CPUUtilization (Average) is greater than or equal to 95 Percent")
    graph = page.get_by_role("img", name="CPUUtilization (Average, Percent), last 1 hour")
    expect(graph.locator(".threshold text")).to_have_text("cpu-high >= 95")

    alarm.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Alarm name")).to_have_value("cpu-high")
    expect(page.get_by_label("Threshold")).to_have_value("95")
    page.get_by_label("Threshold").fill("50")
    page.get_by_label("Evaluation periods (of 5 minutes)").fill("3")
    page.get_by_label("Datapoints to alarm").fill("2")
    page.get_by_role("button", name="Save changes").click()
    alarm = section(page, "cpu-high")
    expect(alarm).to_contain_text("greater than or equal to 50 Percent for 2 of the last 3 periods")
    expect(graph.locator(".threshold text")).to_have_text("cpu-high >= 50")

    # The evaluator (every second here) finds 2 of 3 above 50: a banner on every console page links to the alarm.
    banner = page.get_by_role("alert").filter(has_text="In ALARM")
    wait_until(lambda: page.reload() and banner.count() == 1, timeout=15, what="the ALARM banner")
    expect(alarm.locator(".state")).to_have_text("ALARM")
    expect(alarm.get_by_role("row").nth(1)).to_contain_text(re.compile("(OK|INSUFFICIENT_DATA) → ALARM"))
    expect(alarm.get_by_role("row").nth(1)).to_contain_text(f"Email alarms-{user.account_id}@example.com")
    expect(graph.locator("rect.alarm-period")).to_have_count(1)
    page.get_by_role("link", name="Operations").click()
    expect(banner).to_be_visible()
    banner.get_by_role("link", name="cpu-high").click()
    expect(page.get_by_role("heading", name="web-1", level=1)).to_be_visible()

    before = len(captured(console_server, user))
    section(page, "cpu-high").get_by_role("button", name="Test alarm notification").click()
    expect(page.get_by_role("alert").filter(has_text="Test:")).to_contain_text("sent its ALARM notification")
    mails = wait_until(lambda: len(captured(console_server, user)) > before and captured(console_server, user))
    assert any(m.subject and m.subject.startswith('ALARM: "cpu-high"') and "(test)" in m.subject for m in mails)

    switch = section(page, "cpu-high").get_by_role("switch", name="Notifications")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(section(page, "cpu-high").get_by_role("switch", name="Notifications")).to_have_attribute(
        "aria-checked", "false"
    )
    section(page, "cpu-high").get_by_role("button", name="Test OK notification").click()
    expect(page.get_by_role("alert").filter(has_text="Test:")).to_contain_text("sent its OK notification")

    section(page, "cpu-high").get_by_role("button", name="Delete").click()
    expect(section(page, "cpu-high")).to_have_count(0)
    expect(page.get_by_text("This resource has no alarm.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="In ALARM")).to_have_count(0)

    page.get_by_role("link", name="Operations").click()
    text = page.get_by_role("table").inner_text()
    for operation in ("DeleteAlarm", "TestAlarm", "PutAlarm", "CreateInstance"):
        assert operation in text
    # newest first; Add resource is logged as Lightsail logs creating an instance
    assert text.index("DeleteAlarm") < text.index("TestAlarm") < text.index("PutAlarm") < text.index("CreateInstance")
    (registered,) = console_server.client(user).get_operations_for_resource(resourceName="web-1")["operations"]
    assert (registered["operationType"], registered["resourceType"], registered["status"]) == (
        "CreateInstance",
        "Instance",
        "Succeeded",
    )


def test_a_forged_form_without_the_csrf_token_is_refused(page: Page, user: Account) -> None:
    signed_in(page, user)
    forged = page.request.post(
        "/console/us-east-1/contacts/add",
        form={"protocol": "Email", "contactEndpoint": "forged@example.com"},
        max_redirects=0,
    )
    assert forged.status == 403
    assert "did not carry this session" in forged.text()
    assert forged.headers["content-security-policy"].startswith("default-src 'none'")
    wrong = page.request.post(
        "/console/us-east-1/contacts/add",
        form={"protocol": "Email", "contactEndpoint": "forged@example.com", "csrf_token": "guess"},
        max_redirects=0,
    )
    assert wrong.status == 403
    # From another site, even with the token, a form is refused by its Origin.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    cross = page.request.post(
        "/console/us-east-1/contacts/add",
        form={"protocol": "Email", "contactEndpoint": "forged@example.com", "csrf_token": token},
        headers={"origin": "https://evil.example"},
        max_redirects=0,
    )
    assert cross.status == 403 and "sent from another site" in cross.text()
    page.reload()
    expect(page.get_by_label("Email address")).to_be_visible()  # nothing was added


def test_another_accounts_key_sees_none_of_it(
    browser: Browser, page: Page, console_server: ServerProcess, user: Account, model_path: Path
) -> None:
    put_metric(console_server, user, model_path, "private-db", [10.0])
    console_server.client(user).create_contact_method(protocol="SMS", contactEndpoint="+14255550199")
    other = off_loop(console_server.new_account)
    signed_in(page, other)
    expect(page.get_by_label("Phone number")).to_be_visible()
    expect(page.get_by_text("+14255550199")).to_have_count(0)
    page.get_by_role("link", name="Resources").click()
    expect(page.get_by_text("No resources in this region yet.")).to_be_visible()
    for path in (
        "/console/us-east-1/resources/private-db",
        "/console/us-east-1/resources/private-db/alarms/new",
        "/console/us-east-1/alarms/no-such-alarm/edit",
        "/console/us-east-1/alarms/not%20a%20name!/edit",
        "/console/mars-north-1/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path


def test_sign_in_cookie_sign_out_and_a_deactivated_key(
    page: Page, console_server: ServerProcess, user: Account
) -> None:
    signed_in(page, user)
    (cookie,) = page.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert time.time() + 3600 < cookie["expires"] < time.time() + 24 * 3600
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.context.cookies() == []

    signed_in(page, user)

    async def deactivate(store: Store, box: SecretBox) -> None:
        await store.set_access_key_status(user.access_key_id, KEY_INACTIVE)

    off_loop(console_server.run_store, deactivate)
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(page, user)
    expect(page.get_by_role("alert")).to_have_text(WRONG_PAIR)


def test_pages_keep_the_security_headers_and_post_to_slash_is_the_api(
    page: Page, console_server: ServerProcess
) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    headers = response.headers
    assert headers["content-security-policy"] == (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    assert (headers["x-content-type-options"], headers["referrer-policy"]) == ("nosniff", "same-origin")
    assert headers["cache-control"] == "no-store"
    assert page.locator("script").count() == 0 and page.locator("[style]").count() == 0
    # The style sheet applied (a static file the policy allows): the sign-in button is styled.
    assert page.get_by_role("button", name="Sign in").evaluate("b => getComputedStyle(b).fontWeight") == "600"
    # A POST to / without X-Amz-Target is still the API's, answered in its wire shape.
    api = page.request.post("/", data="{}", headers={"content-type": "application/x-amz-json-1.1"})
    assert api.status >= 400 and "__type" in api.json()


def test_a_wrong_pair_gets_one_message(page: Page, user: Account) -> None:
    sign_in(page, user, secret="not-the-secret")
    expect(page.get_by_role("alert")).to_have_text(WRONG_PAIR)
    wrong_secret = page.content()
    sign_in(page, Account(user.account_id, "AKIAUNKNOWNUNKNOWN00", "whatever"))
    expect(page.get_by_role("alert")).to_have_text(WRONG_PAIR)
    assert page.get_by_role("alert").inner_text() in wrong_secret


def test_failed_sign_ins_are_rate_limited_per_client(console_server: ServerProcess, user: Account) -> None:
    # From another loopback address than the browser's, so the other tests keep their own allowance.
    def attempt(source: str, secret: str = "wrong") -> int:
        connection = http.client.HTTPConnection("127.0.0.1", console_server.port, source_address=(source, 0))
        body = urllib.parse.urlencode({"access_key_id": user.access_key_id, "secret_access_key": secret})
        connection.request("POST", "/console/signin", body, {"content-type": "application/x-www-form-urlencoded"})
        status = connection.getresponse().status
        connection.close()
        return status

    assert [attempt("127.0.0.2") for _ in range(ATTEMPTS)] == [401] * ATTEMPTS
    assert attempt("127.0.0.2") == 429
    assert attempt("127.0.0.2", user.secret_access_key) == 429  # even the right pair, until the window passes
    assert attempt("127.0.0.3", user.secret_access_key) == 303


def test_readable_at_360_pixels_wide(
    browser: Browser, console_server: ServerProcess, user: Account, model_path: Path
) -> None:
    put_metric(console_server, user, model_path, "narrow", [1.0, 2.0])
    context = new_context(browser, console_server, viewport={"width": 360, "height": 740})
    page = context.new_page()
    signed_in(page, user)
    page.goto("/console/us-east-1/resources/narrow")
    for element in (page.locator("header"), page.locator("main"), page.get_by_role("img").first):
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    context.close()


def test_the_operations_log_pages_newest_first(page: Page, console_server: ServerProcess, user: Account) -> None:
    client = console_server.client(user)
    client.create_contact_method(protocol="SMS", contactEndpoint="+14255550142")
    for number in range(200):  # 201 operations: one more than a page
        client.tag_resource(resourceName="SMS-us-east-1", tags=[{"key": "n", "value": str(number)}])
    signed_in(page, user)
    page.get_by_role("link", name="Operations").click()
    rows = page.get_by_role("row")
    expect(rows).to_have_count(201)  # the header and 200 operations
    expect(rows.nth(1)).to_contain_text("TagResource")
    expect(page.get_by_role("cell", name="CreateContactMethod")).to_have_count(0)
    page.get_by_role("link", name="Older operations").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("CreateContactMethod")
    expect(page.get_by_role("link", name="Older operations")).to_have_count(0)
