"""The verification email: the link that confirms an address, and what the email says around it."""

from __future__ import annotations

from lsnotify.messages.environment import render
from lsnotify.messages.formats import utc_minute

VERIFICATION_SUBJECT = "Confirm your email address for Amazon Lightsail notifications"


def verify_url(public_url: str, raw_token: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{raw_token}"


def render_verification(
    *,
    public_url: str,
    raw_token: str,
    account_id: str,
    region: str,
    address: str,
    contact_method_name: str,
    expires_at: float,
) -> dict[str, str]:
    """The email's ``subject``, ``text`` and ``html``, linking to ``public_url``'s confirmation page."""
    values = {
        "link": verify_url(public_url, raw_token),
        "account_id": account_id,
        "region": region,
        "address": address,
        "contact_method_name": contact_method_name,
        "expires": utc_minute(expires_at),
        "public_url": public_url,
    }
    return {
        "subject": VERIFICATION_SUBJECT,
        "text": render("verification.txt", values),
        "html": render("verification.html", values),
    }
