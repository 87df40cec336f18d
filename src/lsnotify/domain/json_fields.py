"""Records as JSON objects: a record's attributes under their camelCase names, the way every JSON that lsnotify
writes names them (the Lightsail wire, the dev inbox, the SMS webhook, ``lsnotify outbox list``).

``json_fields("id", "resource_name")`` is compiled once, at import, and then reads those attributes of each record
it is given: ``{"id": record.id, "resourceName": record.resource_name}``, keys in the order named. A member that is
not simply an attribute (a nested object, a formatted time, a value shown only in some states) is written out beside
it by the caller, so that each JSON shape stays readable in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

JsonFields = Callable[[object], dict[str, Any]]


def camel_case(name: str) -> str:
    """``resource_name`` → ``resourceName``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def json_fields(*names: str) -> JsonFields:
    """A function that gives a record's attributes ``names`` as a dict keyed by their camelCase names, in order."""
    if len(names) < 2:
        raise ValueError("json_fields takes two attribute names or more; write a single member out")
    keys = tuple(camel_case(name) for name in names)
    values: Callable[[object], tuple[Any, ...]] = attrgetter(*names)

    def fields(record: object) -> dict[str, Any]:
        return dict(zip(keys, values(record), strict=True))

    return fields
