"""The basics every record shares: the (account, region) scope, tags, ids and ARNs; operations and access keys.

The records of each area live beside this module: ``contacts`` (contact methods and their verification), ``outbox``
(messages to deliver), ``alarms`` (monitored resources and alarms) and ``metrics`` (the metric catalogue and its
5-minute periods). Records are frozen dataclasses; every one belongs to one (account, region) scope; timestamps are
epoch seconds (float). Nothing here does I/O.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

KEY_ACTIVE: Final = "Active"
KEY_INACTIVE: Final = "Inactive"


class _RandomBytes:
    """The operating system's random bytes, fetched 4 KiB at a time. A system call for each id would release the GIL,
    and the thread waiting for it (SQLite's writer) would then hold up the event loop. A forked child starts empty:
    it must not hand out its parent's bytes."""

    CHUNK = 4096

    def __init__(self) -> None:
        self.forget()
        os.register_at_fork(after_in_child=self.forget)

    def forget(self) -> None:
        self._lock = threading.Lock()
        self._chunk, self._at = b"", 0

    def take(self, count: int) -> bytes:
        with self._lock:
            start = self._at
            if start + count > len(self._chunk):
                self._chunk, start = os.urandom(self.CHUNK), 0
            self._at = start + count
            return self._chunk[start : start + count]


_RANDOM = _RandomBytes()


_VERSION_AND_VARIANT = 0xF << 76 | 0b11 << 62


def new_id() -> str:
    """A new resource's id (a contact method's, an alarm's, a monitored resource's), which is part of its ARN: a
    random UUID (version 4), as Lightsail's are."""
    n = int.from_bytes(_RANDOM.take(16)) & ~_VERSION_AND_VARIANT | 0x4 << 76 | 0b10 << 62
    return _uuid_text(n)


def new_log_id() -> str:
    """A new id of a record appended to a log (an operation, an outbox message): a UUID of version 7 (RFC 9562
    section 5.7), whose first 48 bits are the Unix time in milliseconds and whose last 74 are random. Ids made one
    after another sort together, so that each insert lands beside the last one in its indexes instead of on a random
    page. (The standard library has ``uuid7`` from Python 3.14.)"""
    rand = int.from_bytes(_RANDOM.take(10)) >> 6  # 74 random bits
    rand_a, rand_b = rand >> 62, rand & ((1 << 62) - 1)
    return _uuid_text((time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b)


def _uuid_text(n: int) -> str:
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def lightsail_arn(region: str, account_id: str, resource_type: str, resource_id: str) -> str:
    return f"arn:aws:lightsail:{region}:{account_id}:{resource_type}/{resource_id}"


@dataclass(frozen=True, slots=True)
class Scope:
    """The (account, region) pair that owns every record; no query crosses it."""

    account_id: str
    region: str


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    account_id: str
    region: str
    resource_name: str
    resource_type: str
    operation_type: str
    created_at: float
    status: str = "Succeeded"
    is_terminal: bool = True
    status_changed_at: float | None = None
    operation_details: str | None = None
    error_code: str | None = None
    error_details: str | None = None


@dataclass(frozen=True, slots=True)
class AccessKey:
    access_key_id: str
    account_id: str
    secret_sealed: str
    """The secret access key, encrypted with the data directory's key (see ``identity``)."""
    status: str
    created_at: float


@dataclass(frozen=True, slots=True)
class TaggableResource:
    """What TagResource and UntagResource resolve a ``resourceName`` to."""

    resource_type: str
    resource_id: str
    name: str
    arn: str
    tags: tuple[Tag, ...] = field(default=())


OperationFor = Callable[[TaggableResource], Operation]
"""What a tag change records, given the resource its name resolved to; it may refuse the change by raising."""
