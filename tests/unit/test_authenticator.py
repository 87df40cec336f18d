"""The Authenticator (lsnotify.identity) on a real SQLite store: its key cache and its cache of unknown key ids.

Requests are signed by botocore; the clock is a number the test moves; store look-ups are counted on the real store.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.fernet import Fernet

from lsnotify.awsjson.model import lightsail_regions
from lsnotify.awsjson.sigv4 import SignedRequest, SigV4Verifier
from lsnotify.domain import AccessKey
from lsnotify.errors import InvalidSignatureException, UnrecognizedClientException
from lsnotify.identity import Authenticator, SecretBox, issue_access_key
from lsnotify.storage.sqlite.store import SqliteStore

TTL = 2.0
UNKNOWN = "AKIAUNKNOWNUNKNOWN00"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class CountingStore(SqliteStore):
    """The real store, counting access key look-ups."""

    lookups = 0

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        self.lookups += 1
        return await super().get_access_key(access_key_id)


class Clock:
    """Real time at first (botocore signs with it), then moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountingStore]:
    store = CountingStore(tmp_path / "keys.db")
    await store.open()
    await store.migrate()
    yield store
    await store.close()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def authenticator(store: CountingStore, box: SecretBox, clock: Clock) -> Authenticator:
    verifier = SigV4Verifier(service="lightsail", regions=lightsail_regions())
    return Authenticator(store, box, verifier, clock, TTL)


def signed(access_key_id: str, secret: str = SECRET, *, target: str | None = "GetContactMethods") -> SignedRequest:
    """A request as botocore signs it now; without X-Amz-Target when ``target`` is None."""
    aws = AWSRequest(method="POST", url="http://127.0.0.1:8080/", data=b"{}")
    aws.headers["Content-Type"] = "application/x-amz-json-1.1"
    if target is not None:
        aws.headers["X-Amz-Target"] = f"Lightsail_20161128.{target}"
    SigV4Auth(Credentials(access_key_id, secret), "lightsail", "us-east-1").add_auth(aws)
    headers = [(name.lower().encode(), str(value).encode()) for name, value in aws.headers.items()]
    headers.append((b"host", b"127.0.0.1:8080"))  # botocore signs the URL's host
    return SignedRequest("POST", b"/", b"", headers, b"{}")


async def refused(authenticator: Authenticator, request: SignedRequest) -> Exception:
    with pytest.raises((UnrecognizedClientException, InvalidSignatureException)) as caught:
        await authenticator.authenticate(request)
    return caught.value


async def test_an_unknown_key_is_looked_up_once_per_ttl(
    authenticator: Authenticator, store: CountingStore, clock: Clock
) -> None:
    for _ in range(5):
        assert isinstance(await refused(authenticator, signed(UNKNOWN)), UnrecognizedClientException)
    assert store.lookups == 1
    clock.now += TTL - 0.1
    await refused(authenticator, signed(UNKNOWN))
    assert store.lookups == 1
    clock.now += 0.2
    await refused(authenticator, signed(UNKNOWN))
    assert store.lookups == 2


async def test_a_key_created_after_a_refusal_works_once_the_ttl_has_passed(
    authenticator: Authenticator, store: CountingStore, box: SecretBox, clock: Clock
) -> None:
    """As when ``lsnotify keys create`` runs in another process after a client tried the id."""
    await refused(authenticator, signed(UNKNOWN))
    await issue_access_key(store, box, "123456789012", clock(), access_key_id=UNKNOWN, secret_access_key=SECRET)
    await refused(authenticator, signed(UNKNOWN))  # still remembered as unknown, for at most TTL seconds
    clock.now += TTL
    principal = await authenticator.authenticate(signed(UNKNOWN))
    assert (principal.account_id, principal.region, principal.access_key_id) == ("123456789012", "us-east-1", UNKNOWN)


async def test_a_new_key_id_is_never_refused_from_the_cache(
    authenticator: Authenticator, store: CountingStore, box: SecretBox, clock: Clock
) -> None:
    issued = await issue_access_key(store, box, None, clock())
    principal = await authenticator.authenticate(signed(issued.key.access_key_id, issued.secret_access_key))
    assert principal.account_id == issued.key.account_id


async def test_unknown_ids_do_not_grow_the_cache_without_bound(
    authenticator: Authenticator, store: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Authenticator, "CACHE_LIMIT", 3)
    for index in range(10):
        await refused(authenticator, signed(f"AKIAUNKNOWNUNKNOWN{index:02d}"))
    assert store.lookups == 10
    await refused(authenticator, signed("AKIAUNKNOWNUNKNOWN09"))  # the latest is still remembered
    assert store.lookups == 10
    await refused(authenticator, signed("AKIAUNKNOWNUNKNOWN00"))  # the earliest went when the cache was emptied
    assert store.lookups == 11


async def test_an_unsigned_target_is_refused_before_any_lookup(
    authenticator: Authenticator, store: CountingStore, box: SecretBox, clock: Clock
) -> None:
    issued = await issue_access_key(store, box, None, clock())
    request = signed(issued.key.access_key_id, issued.secret_access_key, target=None)
    request.headers = [*request.headers, (b"x-amz-target", b"Lightsail_20161128.DeleteContactMethod")]
    error = await refused(authenticator, request)
    assert isinstance(error, InvalidSignatureException)
    assert "'X-Amz-Target' must be a 'SignedHeader'" in error.message
    assert store.lookups == 0
