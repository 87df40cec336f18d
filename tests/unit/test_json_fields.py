"""json_fields: a record's attributes under their camelCase names, in the order named."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lsnotify.domain.json_fields import camel_case, json_fields


@dataclass(frozen=True)
class Record:
    id: str
    resource_name: str
    status_changed_at: float | None


def test_names_become_camel_case() -> None:
    assert [camel_case(name) for name in ("id", "resource_name", "status_changed_at")] == [
        "id",
        "resourceName",
        "statusChangedAt",
    ]


def test_attributes_are_read_in_the_order_named() -> None:
    fields = json_fields("status_changed_at", "id", "resource_name")
    shown = fields(Record("r-1", "Email-us-east-1", None))
    assert list(shown.items()) == [("statusChangedAt", None), ("id", "r-1"), ("resourceName", "Email-us-east-1")]


def test_a_single_name_is_refused() -> None:
    with pytest.raises(ValueError, match="two attribute names or more"):
        json_fields("id")
