"""A freshly migrated database has exactly the expected schema (one snapshot per dialect).

After adding a migration, regenerate the snapshot with ``LSNOTIFY_UPDATE_SCHEMA=1 pytest tests/contract/test_schema.py``
and review the diff: it is the schema change the migration makes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import asyncpg

from lsnotify.storage.postgres.store import PostgresStore
from lsnotify.storage.sqlite.store import SqliteStore
from postgres_server import create_database, drop_database, fresh_name, server_url

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


# -- postgres -----------------------------------------------------------------------------------------------------

POSTGRES_SCHEMA_QUERIES = {
    "column": """
        SELECT table_name, column_name || ' ' || data_type || CASE is_nullable WHEN 'NO' THEN ' NOT NULL' ELSE '' END
               || COALESCE(' DEFAULT ' || column_default, '')
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
    """,
    "constraint": """
        SELECT cls.relname, con.conname || ' ' || pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class cls ON cls.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = cls.relnamespace
        WHERE ns.nspname = 'public' ORDER BY cls.relname, con.conname
    """,
    "index": """
        SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname
    """,
}


async def postgres_schema(url: str) -> str:
    """Every table's columns, constraints and indexes, one line each, grouped by table, in a stable order."""
    conn = await asyncpg.connect(url)
    try:
        lines: dict[str, list[str]] = {}
        for kind, sql in POSTGRES_SCHEMA_QUERIES.items():
            for table, text in await conn.fetch(sql):
                lines.setdefault(table, []).append(f"{kind} {text}")
    finally:
        await conn.close()
    return "".join(f"-- table {table}\n" + "\n".join(lines[table]) + "\n\n" for table in sorted(lines))


async def test_postgres_migrations_give_the_expected_schema() -> None:
    server_url()  # skip, or fail under CI, without a server
    name = fresh_name("schema")
    url = await create_database(name)
    try:
        store = PostgresStore(url)
        await store.open()
        try:
            applied = await store.migrate()
            assert await store.migrate() == []
        finally:
            await store.close()
        assert applied and applied[0] == "0001_initial"
        check("postgres", await postgres_schema(url))
    finally:
        await drop_database(name)
