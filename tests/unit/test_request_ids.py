"""Request ids: in the form of a UUID, as AWS's are, and never repeated."""

from __future__ import annotations

import uuid

from lsnotify.web.signed_requests import request_ids


def test_request_ids_are_uuid_shaped_and_unique() -> None:
    next_id = request_ids()
    ids = [next_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    for request_id in ids[:100]:
        parsed = uuid.UUID(request_id)
        assert str(parsed) == request_id
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_each_source_starts_from_its_own_random_prefix() -> None:
    firsts = {request_ids()() for _ in range(50)}
    assert len({first[:24] for first in firsts}) == 50
