"""A freshly migrated database has exactly the expected schema (one snapshot per dialect).

After adding a migration, regenerate the snapshot with ``LSNOTIFY_UPDATE_SCHEMA=1 pytest tests/contract/test_schema.py``
and review the diff: it is the schema change the migration makes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from lsnotify.storage.sqlite import SqliteStore

EXPECTED = Path(__file__).parent / "expected_schema"


def sqlite_schema(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()
    return "".join(f"-- {kind} {name}\n{' '.join(sql.split())};\n\n" for kind, name, sql in rows)


def check(dialect: str, actual: str) -> None:
    expected_file = EXPECTED / f"{dialect}.sql"
    if os.environ.get("LSNOTIFY_UPDATE_SCHEMA") == "1":
        expected_file.write_text(actual)
    assert actual == expected_file.read_text(), f"the migrated {dialect} schema differs from {expected_file}"


async def test_sqlite_migrations_give_the_expected_schema(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "fresh.db")
    await store.open()
    try:
        applied = await store.migrate()
    finally:
        await store.close()
    assert applied and applied[0] == "0001_initial"
    check("sqlite", sqlite_schema(tmp_path / "fresh.db"))
