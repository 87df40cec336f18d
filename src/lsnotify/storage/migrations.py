"""The versioned schema migrations shipped with lsnotify: ``sql/<dialect>/NNNN_name.sql``, applied in order.

Each store creates its ``schema_migrations`` table (the column types are the dialect's) and runs ``apply_migrations``
inside one transaction, under whatever lock keeps two processes from migrating at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources

from lsnotify.storage import queries
from lsnotify.storage.executor import Executor


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


async def apply_migrations(ex: Executor, dialect: str) -> list[str]:
    """Run the migrations of ``dialect`` not yet recorded in ``schema_migrations``, and record them; their names."""
    applied = {version for (version,) in await ex.fetch(queries.APPLIED_MIGRATIONS)}
    names = []
    for migration in migrations(dialect):
        if migration.version in applied:
            continue
        await ex.run_script(migration.sql)
        await ex.execute(queries.RECORD_MIGRATION, migration.version, migration.name, time.time())
        names.append(migration.name)
    return names
