"""Accounts and access keys: issuing them, sealing their secrets, and authenticating requests signed with them.

Secret access keys are stored encrypted (Fernet) with a key kept outside the database — ``LSNOTIFY_SECRET_KEY`` or
the 0600 file ``secret.key`` in the data directory — so a copied database file alone reveals none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from lsnotify.awsjson.model import lightsail_regions
from lsnotify.awsjson.sigv4 import SignedRequest, SigV4Verifier, parse_authorization
from lsnotify.config import Settings
from lsnotify.domain import KEY_ACTIVE, AccessKey
from lsnotify.errors import UnrecognizedClientException
from lsnotify.files import write_private
from lsnotify.storage.base import Store

SECRET_KEY_FILE = "secret.key"
CREDENTIALS_FILE = "credentials"
CONFIG_FILE = "config"
PROFILE = "lsnotify"

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class SecretBox:
    """Seals and opens secrets with the data directory's key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key

    def derived_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` alone (e.g. signing console sessions), derived from the secret key: every node
        holding the same secret key derives the same one, and it reveals nothing of the secret key itself."""
        return hmac.new(self._key, b"lsnotify derived key: " + purpose.encode(), hashlib.sha256).digest()

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(
                "a stored secret cannot be decrypted with this secret key; "
                "is LSNOTIFY_SECRET_KEY (or secret.key) the one the data was written with?"
            ) from None


def load_secret_key(data_dir: Path, configured: str | None) -> bytes:
    """The configured key, else the data directory's ``secret.key`` (created, mode 0600, on first use)."""
    if configured:
        key = configured.encode()
    else:
        path = data_dir / SECRET_KEY_FILE
        if not path.exists():
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(path, Fernet.generate_key().decode() + "\n")
        key = path.read_text().strip().encode()
    try:
        Fernet(key)
    except ValueError:
        raise ValueError(
            "the secret key must be 32 url-safe base64-encoded bytes (see `lsnotify keys --help`)"
        ) from None
    return key


def secret_box(settings: Settings) -> SecretBox:
    """The box of the configured secret key (``settings.secret_key``, else the data directory's ``secret.key``)."""
    return SecretBox(load_secret_key(settings.data_dir, settings.secret_key or None))


async def check_secret_key(store: Store, box: SecretBox) -> None:
    """Raise ``ValueError`` when ``box`` cannot open the secrets already stored: the process was given another key
    than the one they were sealed with (on several nodes sharing one database, every node needs the same
    ``LSNOTIFY_SECRET_KEY``). Checked at start, so a wrong key stops the process instead of failing every request."""
    stored = await store.list_access_keys()
    if stored:
        try:
            box.open(stored[0].secret_sealed)
        except ValueError as exc:
            raise ValueError(
                f"{exc} Every node sharing one database must be given the same key (LSNOTIFY_SECRET_KEY)."
            ) from None


def generate_account_id() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))


def generate_access_key_id() -> str:
    return "AKIA" + "".join(secrets.choice(_BASE32) for _ in range(16))


def generate_secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: AccessKey
    secret_access_key: str

    def as_json(self) -> dict[str, object]:
        return {
            "AccessKey": {
                "AccessKeyId": self.key.access_key_id,
                "SecretAccessKey": self.secret_access_key,
                "AccountId": self.key.account_id,
                "Status": self.key.status,
                "CreateDate": _iso(self.key.created_at),
            }
        }


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def describe_key(key: AccessKey) -> dict[str, str]:
    """A key as ``keys list`` prints it: never its secret."""
    return {
        "AccessKeyId": key.access_key_id,
        "AccountId": key.account_id,
        "Status": key.status,
        "CreateDate": _iso(key.created_at),
    }


async def issue_access_key(
    store: Store,
    box: SecretBox,
    account_id: str | None,
    now: float,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> IssuedKey:
    """Store a new key for ``account_id`` (a new random account when None); random unless the pair is given."""
    secret = secret_access_key or generate_secret_access_key()
    key = AccessKey(
        access_key_id=access_key_id or generate_access_key_id(),
        account_id=account_id or generate_account_id(),
        secret_sealed=box.seal(secret),
        status=KEY_ACTIVE,
        created_at=now,
    )
    await store.create_access_key(key)
    return IssuedKey(key, secret)


def write_credentials(data_dir: Path, issued: IssuedKey, region: str) -> Path:
    """Write the ``[lsnotify]`` profile: ``credentials`` (0600) and ``config`` (its default region)."""
    credentials = data_dir / CREDENTIALS_FILE
    write_private(
        credentials,
        f"[{PROFILE}]\n"
        f"aws_access_key_id = {issued.key.access_key_id}\n"
        f"aws_secret_access_key = {issued.secret_access_key}\n"
        f"# account {issued.key.account_id}\n",
    )
    write_private(data_dir / CONFIG_FILE, f"[profile {PROFILE}]\nregion = {region}\n")
    return credentials


@dataclass(slots=True)  # not frozen: made per request, and a frozen __init__ costs four times as much
class Principal:
    account_id: str
    region: str
    access_key_id: str


@dataclass(slots=True)
class _CachedKey:
    account_id: str
    sealed: str
    secret: str
    active: bool
    fetched_at: float


class Authenticator:
    """Verifies a request's SigV4 signature and says which account and region it acts for.

    Keys are cached for ``cache_ttl`` seconds, so a key deactivated or deleted from another process stops working
    within that time. An access key id the store does not know is remembered as unknown for as long, so a client
    repeating it costs no store look-up, and a key created meanwhile by another process (``lsnotify keys create``)
    works at the latest ``cache_ttl`` seconds after a request tried it. Both caches are emptied when they reach
    ``CACHE_LIMIT`` entries, so random key ids cannot grow them without bound.
    """

    CACHE_LIMIT = 100_000

    def __init__(
        self,
        store: Store,
        box: SecretBox,
        verifier: SigV4Verifier,
        clock: Callable[[], float],
        cache_ttl: float,
    ) -> None:
        self._store = store
        self._box = box
        self._verifier = verifier
        self._clock = clock
        self._cache_ttl = cache_ttl
        self._cache: dict[str, _CachedKey] = {}
        self._unknown: dict[str, float] = {}  # access key id -> when the store did not know it

    async def authenticate(self, request: SignedRequest) -> Principal:
        auth = parse_authorization(request)
        now = self._clock()
        self._verifier.check_scope(auth, now, request)
        key = await self._key(auth.access_key_id, now)
        # lsnotify issues only long-term keys: a session token means credentials from somewhere else.
        if key is None or not key.active or "x-amz-security-token" in auth.signed_headers:
            raise UnrecognizedClientException()
        self._verifier.verify(request, auth, key.secret)
        return Principal(key.account_id, auth.region, auth.access_key_id)

    async def _key(self, access_key_id: str, now: float) -> _CachedKey | None:
        cached = self._cache.get(access_key_id)
        if cached is not None and now - cached.fetched_at < self._cache_ttl:
            return cached
        missed_at = self._unknown.get(access_key_id)
        if missed_at is not None and now - missed_at < self._cache_ttl:
            return None
        stored = await self._store.get_access_key(access_key_id)
        if stored is None:
            self._cache.pop(access_key_id, None)
            if len(self._unknown) >= self.CACHE_LIMIT:
                self._unknown.clear()
            self._unknown[access_key_id] = now
            return None
        self._unknown.pop(access_key_id, None)
        if cached is not None and cached.sealed == stored.secret_sealed:
            secret = cached.secret
        else:
            secret = self._box.open(stored.secret_sealed)
        entry = _CachedKey(stored.account_id, stored.secret_sealed, secret, stored.status == KEY_ACTIVE, now)
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()
        self._cache[access_key_id] = entry
        return entry


def authenticator_of(
    settings: Settings, store: Store, box: SecretBox, clock: Callable[[], float], service: str
) -> Authenticator:
    """An authenticator of requests signed for ``service`` (the signing name) in any Lightsail region, with the
    settings' clock skew and key cache time."""
    verifier = SigV4Verifier(service=service, regions=lightsail_regions(), max_skew_seconds=settings.signature_max_skew)
    return Authenticator(store, box, verifier, clock, settings.key_cache_ttl)
