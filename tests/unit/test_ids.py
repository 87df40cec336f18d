"""Ids: a resource's is random (version 4, as in Lightsail's ARNs); a log record's is time first (version 7), so that
records appended in turn sort together."""

from __future__ import annotations

import os
import time
import uuid

from lsnotify.domain import new_id, new_log_id


def test_a_resource_id_is_a_random_version_4_uuid() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids) and sorted(ids) != ids  # unique, and random rather than ordered
    assert {(uuid.UUID(made).version, uuid.UUID(made).variant) for made in ids} == {(4, uuid.RFC_4122)}
    assert all(str(uuid.UUID(made)) == made for made in ids)


def test_a_log_id_is_a_version_7_uuid_carrying_the_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = new_log_id()
    after = time.time_ns() // 1_000_000
    parsed = uuid.UUID(made)
    assert str(parsed) == made
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert before <= parsed.int >> 80 <= after


def test_log_ids_are_unique_and_ordered_by_the_millisecond_they_were_made_in() -> None:
    ids = [new_log_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    milliseconds = [uuid.UUID(i).int >> 80 for i in ids]
    assert milliseconds == sorted(milliseconds)
    assert len({i[14:] for i in ids}) == len(ids)  # the random part differs even within one millisecond


def test_a_forked_child_does_not_repeat_its_parent_s_ids() -> None:
    new_id()  # the parent holds random bytes not yet handed out
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(write, new_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    os.close(write)
    from_child = os.read(read, 100).decode()
    os.close(read)
    assert from_child != new_id()
