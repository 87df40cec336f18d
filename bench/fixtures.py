"""The data a benchmark needs: accounts and keys, the contact methods it reads, the calls it signs, bulk seeding.

Accounts and keys are issued through lsnotify's own store before the server starts; the contact methods of the
read benchmark are created through the API. The scale benchmark's million contact methods go straight into the
database through the SQLite store's own write transactions (the functions its writer thread runs), batched into
large transactions: the rows are exactly what the API would have written, minus an hour of HTTP round trips.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from bench.presign import Call, Key
from lsnotify.awsjson.model import lightsail_regions
from lsnotify.config import load_settings
from lsnotify.domain import AccessKey, Operation
from lsnotify.domain.contacts import EMAIL, SMS, VALID, ContactMethod, contact_method_name
from lsnotify.identity import SecretBox, issue_access_key, load_secret_key, secret_box
from lsnotify.storage.access_keys import create_access_key
from lsnotify.storage.contact_methods import create_contact_method
from lsnotify.storage.factory import SQLITE_FILE, open_store
from lsnotify.storage.sqlite import store as sqlite_store

# The read rotates over these regions (all four allow SMS, so each scope has an Email and an SMS contact method).
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1")
PHONE = "+14255550100"
SEED_BATCH = 50_000
SEEDED_SECRET = "the one secret access key of every seeded account"
"""Every seeded account's key has this secret: the cold read signs for accounts drawn at random."""


@dataclass(frozen=True)
class Scope:
    key: Key
    region: str


def account_id(index: int) -> str:
    """Distinct 12-digit ids spread over the whole id space, so that seeded rows interleave in every index."""
    return f"{(index * 7_919_000_003 + 100_000_000_000) % 10**12:012d}"


def issue_keys(data_dir: Path, account_ids: list[str], database_url: str = "") -> list[Key]:
    """Create (and migrate) the data directory's store (or ``database_url``'s) and issue one key per account."""
    settings = load_settings({"data_dir": str(data_dir), "database_url": database_url})

    async def run() -> list[Key]:
        box = secret_box(settings)
        async with open_store(settings) as store:
            now = time.time()
            issued = await asyncio.gather(*(issue_access_key(store, box, account, now) for account in account_ids))
        return [Key(i.key.account_id, i.key.access_key_id, i.secret_access_key) for i in issued]

    return asyncio.run(run())


def scopes(keys: list[Key]) -> list[Scope]:
    return [Scope(key, region) for key in keys for region in REGIONS]


def read_calls(scopes: list[Scope]) -> list[Call]:
    return [Call(s.key, s.region, "GetContactMethods", {}) for s in scopes]


def create_calls(scopes: list[Scope], protocols: tuple[str, ...] = (EMAIL, SMS)) -> list[Call]:
    endpoints = {EMAIL: "bench@example.com", SMS: PHONE}
    return [
        Call(s.key, s.region, "CreateContactMethod", {"protocol": p, "contactEndpoint": endpoints[p]})
        for s in scopes
        for p in protocols
    ]


def delete_calls(scopes: list[Scope], protocol: str = SMS) -> list[Call]:
    return [Call(s.key, s.region, "DeleteContactMethod", {"protocol": protocol}) for s in scopes]


def tag_calls(scopes: list[Scope]) -> list[Call]:
    return [
        Call(
            s.key,
            s.region,
            "TagResource",
            {"resourceName": contact_method_name(EMAIL, s.region), "tags": [{"key": "bench", "value": "durable"}]},
        )
        for s in scopes
    ]


# -- the scale benchmark's bulk seeding ------------------------------------------------------------------------------


def seed_bulk(data_dir: Path, contact_methods: int, accounts: int, read_scopes: list[Scope]) -> int:
    """Fill the (migrated) store up to ``contact_methods`` contact methods over ``accounts`` accounts; return them.

    ``read_scopes``' accounts (already issued keys) get an Email and an SMS contact method in each of their regions,
    like the read benchmark's; every other account gets one access key and, while contact methods remain to be
    seeded, an Email and an SMS contact method in one of Lightsail's regions, each with the ``CreateContactMethod``
    operation the API would have recorded.
    """
    box = SecretBox(load_secret_key(data_dir, None))
    sealed = box.seal(SEEDED_SECRET)
    conn = sqlite_store.connect(data_dir / SQLITE_FILE)
    conn.execute("PRAGMA synchronous=OFF")  # seeding only: the server's own connections stay synchronous=FULL
    written = 0
    try:
        batch: list[_Seed] = []
        for item in _seeds(contact_methods, accounts, read_scopes, sealed, time.time()):
            batch.append(item)
            if len(batch) >= SEED_BATCH:
                written += _write(conn, batch)
                batch = []
        written += _write(conn, batch)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return written


_Seed = tuple[AccessKey | None, list[tuple[ContactMethod, Operation]]]


def _write(conn: sqlite3.Connection, batch: list[_Seed]) -> int:
    """One transaction of the store's own write functions, as its writer thread would run them."""
    conn.execute("BEGIN IMMEDIATE")
    count = 0
    for key, methods in batch:
        if key is not None:
            sqlite_store.run_on(conn, create_access_key, key)
        for cm, op in methods:
            sqlite_store.run_on(conn, create_contact_method, cm, op, (), None)
            count += 1
    conn.execute("COMMIT")
    return count


def _seeds(contact_methods: int, accounts: int, read_scopes: list[Scope], sealed: str, now: float) -> Iterator[_Seed]:
    count = 0
    for scope in read_scopes:
        yield None, [_contact_method(scope.key.account_id, scope.region, p, now) for p in (EMAIL, SMS)]
        count += 2
    index = len({scope.key.account_id for scope in read_scopes})
    while index < accounts:
        index += 1
        seeded = seeded_scope(index)
        account = seeded.key.account_id
        key = AccessKey(seeded.key.access_key_id, account, sealed, "Active", now)
        region = seeded.region
        protocols = (EMAIL, SMS)[: max(0, min(2, contact_methods - count))]
        count += len(protocols)
        yield key, [_contact_method(account, region, protocol, now) for protocol in protocols]


def seeded_scope(index: int) -> Scope:
    """The scope ``seed_bulk`` gave its ``index``-th seeded account (from 1 after the read scopes' accounts)."""
    regions = _sorted_regions()
    key = Key(account_id(1_000_000 + index), f"AKIASEED{index:012d}", SEEDED_SECRET)
    return Scope(key, regions[index % len(regions)])


def seeded_scopes(count: int, first: int, last: int, rng: random.Random) -> list[Scope]:
    """``count`` distinct seeded scopes drawn at random among the seeded accounts ``first`` to ``last``."""
    return [seeded_scope(index) for index in rng.sample(range(first, last + 1), min(count, last - first + 1))]


@functools.cache
def _sorted_regions() -> list[str]:
    return sorted(lightsail_regions())


def _contact_method(account: str, region: str, protocol: str, now: float) -> tuple[ContactMethod, Operation]:
    endpoint = f"user-{account}@example.com" if protocol == EMAIL else PHONE
    cm = ContactMethod(account, region, protocol, endpoint, VALID, str(uuid.uuid4()), now)
    op = Operation(
        str(uuid.uuid4()), account, region, cm.name, "ContactMethod", "CreateContactMethod", now, status_changed_at=now
    )
    return cm, op


# -- a database of the benchmark's own on the PostgreSQL server ------------------------------------------------------


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url`` for the duration, dropped afterwards; its URL."""
    name = f"lsnotify_bench_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlsplit(server_url)._replace(path="/" + name).geturl()
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))
