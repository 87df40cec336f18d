"""The per-request context: who is calling, where, and which operation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)  # not frozen: its __init__ would cost four times as much, on every request
class RequestContext:
    """Resolved once per API request, after authentication."""

    request_id: str
    """The ``x-amzn-RequestId`` sent back to the client."""
    account_id: str
    """The 12-digit account that owns the access key."""
    region: str
    """The Lightsail region named in the SigV4 credential scope."""
    operation: str
    """The operation name from ``X-Amz-Target``, e.g. ``CreateContactMethod``."""
    access_key_id: str
    """The access key that signed the request."""
