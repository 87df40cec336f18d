"""Building emails: MIME structure, stable Message-IDs, and no way to inject a header."""

from __future__ import annotations

import email
import email.policy

import pytest

from lsnotify.delivery.senders import DeliveryFailed, Envelope
from lsnotify.delivery.smtp import build_email, message_id

FROM = "lsnotify alerts <alerts@example.org>"


def envelope(**changes: object) -> Envelope:
    values: dict[str, object] = {
        "id": "m-1",
        "idempotency_key": "4b7c2a8e-0d4f-4a57-9f3e-2f1e1c7d9a10",
        "protocol": "Email",
        "destination": "ops@example.com",
        "text": "Hello\nworld",
        "account_id": "111111111111",
        "region": "us-east-1",
        "created_at": 1_800_000_000.0,
        "subject": "Alarm",
        "html": "<p>Hello</p>",
    }
    values.update(changes)
    return Envelope(**values)  # type: ignore[arg-type]


def parse(raw: bytes) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_a_complete_mime_message() -> None:
    raw = build_email(envelope(), FROM).data
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = parse(raw)
    assert message["From"] == FROM and message["To"] == "ops@example.com" and message["Subject"] == "Alarm"
    assert b"\r\nDate: Fri, 15 Jan 2027 08:00:00 +0000\r\n" in raw
    assert message["Message-ID"] == "<4b7c2a8e-0d4f-4a57-9f3e-2f1e1c7d9a10@example.org>"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content().splitlines() == ["Hello", "world"]  # type: ignore[union-attr]


def test_text_only_when_there_is_no_html() -> None:
    assert parse(build_email(envelope(html=None), FROM).data).get_content_type() == "text/plain"


def test_the_same_key_gives_the_same_message_id() -> None:
    assert message_id("abc-123", "example.org") == "<abc-123@example.org>"
    odd = message_id("arn:aws:lightsail:us-east-1:1:Alarm/x@2", "example.org")
    assert odd == message_id("arn:aws:lightsail:us-east-1:1:Alarm/x@2", "example.org")
    assert odd.startswith("<") and ":" not in odd and odd.count("@") == 1


@pytest.mark.parametrize(
    "subject", ["Alarm\r\nBcc: victim@example.com", "Alarm\nBcc: victim@example.com", "Alarm\rBcc: victim@example.com"]
)
def test_line_breaks_in_a_subject_are_folded_into_spaces(subject: str) -> None:
    message = parse(build_email(envelope(subject=subject), FROM).data)
    assert message["Subject"] == "Alarm Bcc: victim@example.com"
    assert message["Bcc"] is None


@pytest.mark.parametrize(
    "address",
    ["ops@example.com\r\nBcc: victim@example.com", "ops@example.com\nX-Evil: 1", "ops\r@example.com", "not an address"],
)
def test_an_address_with_a_line_break_or_bad_syntax_is_refused_for_good(address: str) -> None:
    with pytest.raises(DeliveryFailed) as raised:
        build_email(envelope(destination=address), FROM)
    assert raised.value.permanent


def test_non_ascii_subjects_names_and_bodies_are_encoded() -> None:
    built = build_email(envelope(subject="Alarme : CPU élevé\n", text="Température élevée"), "Équipe <ops@example.org>")
    assert built.data.isascii() and (built.mail_from, built.rcpt_to) == ("ops@example.org", "ops@example.com")
    message = parse(built.data)
    assert message["Subject"] == "Alarme : CPU élevé" and message["From"] == "Équipe <ops@example.org>"
    assert message.get_body(("plain",)).get_content().strip() == "Température élevée"  # type: ignore[union-attr]
