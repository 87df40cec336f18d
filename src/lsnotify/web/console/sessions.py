"""Console sessions: a stateless cookie signed with a key derived from the server's secret key.

The cookie holds the access key id, when the session was issued and expires, and a random nonce, followed by an
HMAC-SHA256 over them. Nothing is stored server-side, so any node sharing the secret key accepts the session; each
request still reads the access key and refuses the session when the key is gone or inactive, so deactivating or
deleting a key ends its sessions at once. The CSRF token of a session is an HMAC of its nonce: per session, and
checked in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import orjson

COOKIE_NAME = "lsnotify_console"
SESSION_SECONDS = 8 * 60 * 60
"""How long a session lasts from sign-in; the cookie expires with it."""


@dataclass(frozen=True, slots=True)
class Session:
    access_key_id: str
    issued_at: float
    expires_at: float
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Issues, signs and reads session cookies, and the CSRF tokens that go with them."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, purpose: bytes, payload: bytes) -> bytes:
        return hmac.new(self._key, purpose + b"\x00" + payload, hashlib.sha256).digest()

    def issue(self, access_key_id: str, now: float) -> Session:
        return Session(access_key_id, now, now + SESSION_SECONDS, secrets.token_urlsafe(18))

    def encode(self, session: Session) -> str:
        payload = orjson.dumps([session.access_key_id, session.issued_at, session.expires_at, session.nonce])
        return f"{_b64(payload)}.{_b64(self._mac(b'session', payload))}"

    def decode(self, cookie: str, now: float) -> Session | None:
        """The session in ``cookie`` when its signature holds and it has not expired; else None."""
        encoded, _, signature = cookie.partition(".")
        try:
            payload, mac = _unb64(encoded), _unb64(signature)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(mac, self._mac(b"session", payload)):
            return None
        try:
            key_id, issued_at, expires_at, nonce = orjson.loads(payload)
            session = Session(str(key_id), float(issued_at), float(expires_at), str(nonce))
        except (ValueError, TypeError):
            return None
        return session if session.issued_at <= now < session.expires_at else None

    def csrf_token(self, session: Session) -> str:
        return _b64(self._mac(b"csrf", session.nonce.encode()))

    def csrf_ok(self, session: Session, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self.csrf_token(session).encode())
