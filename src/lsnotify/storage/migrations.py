"""The versioned schema migrations shipped with lsnotify: ``sql/<dialect>/NNNN_name.sql``, applied in order."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str) -> list[Migration]:
    """Every migration of ``dialect`` (``sqlite`` or ``postgres``), oldest first."""
    folder = resources.files("lsnotify.storage") / "sql" / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql") and entry.name[:4].isdigit():
            found.append(Migration(int(entry.name[:4]), entry.name.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    return found
