"""The messages package: the time formats, the verification email, and pages rendered under the same template rules."""

from __future__ import annotations

from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, ContactMethod
from lsnotify.domain.outbox import CapturedMessage
from lsnotify.messages.formats import iso_time, shown_time, utc_minute, utc_second
from lsnotify.messages.verification import VERIFICATION_SUBJECT, render_verification
from lsnotify.web.templating import PAGE_HEADERS, page

MOMENT = 1_800_000_007.25  # 2027-01-15T08:00:07.250Z
HOSTILE = 'x<script>alert("1")</script>@example.com'


def test_every_time_format() -> None:
    assert iso_time(MOMENT) == "2027-01-15T08:00:07.250Z"
    assert utc_minute(MOMENT) == "2027-01-15 08:00 UTC"
    assert utc_second(MOMENT) == "2027-01-15 08:00:07 UTC"
    assert shown_time(MOMENT) == "2027-01-15T08:00:07.250000+00:00"
    assert shown_time(1e300) == "1e+300"


def test_the_verification_email_links_and_escapes_only_its_html() -> None:
    email = render_verification(
        public_url="https://n.example/",
        raw_token="tok_en-1",
        account_id="123456789012",
        region="eu-west-1",
        address=HOSTILE,
        contact_method_name="Email-eu-west-1",
        expires_at=MOMENT,
    )
    assert email["subject"] == VERIFICATION_SUBJECT
    for body in (email["text"], email["html"]):
        assert "https://n.example/verify/tok_en-1" in body
        assert "2027-01-15 08:00 UTC" in body
    assert HOSTILE in email["text"] and email["text"].endswith("\n")
    assert "<script>" not in email["html"] and "&lt;script&gt;" in email["html"]


def test_pages_are_escaped_and_carry_the_security_headers() -> None:
    cm = ContactMethod("123456789012", "eu-west-1", EMAIL, HOSTILE, PENDING_VERIFICATION, "id-1", MOMENT)
    response = page("verify_confirm.html", contact_method=cm, action="/verify/tok")
    html = bytes(response.body).decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert {name: response.headers[name] for name in PAGE_HEADERS} == PAGE_HEADERS


def test_the_inbox_page_links_urls_and_shows_times_with_the_shared_formats() -> None:
    captured = CapturedMessage(
        "m-1", "123456789012", "eu-west-1", EMAIL, "a@example.com", "Hi", "see https://n.example/x <b>", None, MOMENT
    )
    response = page("inbox.html", messages=[captured], refresh="/_lsnotify/inbox", json_url="/_lsnotify/messages")
    html = bytes(response.body).decode()
    assert '<a href="https://n.example/x">https://n.example/x</a> &lt;b&gt;' in html
    assert iso_time(MOMENT) in html
