"""PostgreSQL backend against a real server: schema parity with SQLite, protocol, start-up errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import DatabaseStartupError, SqliteDatabase
from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import load_migrations

# SQLite's declared types and PostgreSQL's data types, mapped to one vocabulary.
_COMMON = {
    "INTEGER": "integer",
    "BIGINT": "integer",
    "bigint": "integer",
    "integer": "integer",
    "TEXT": "text",
    "text": "text",
}


async def _sqlite_schema(db: SqliteDatabase) -> dict[str, list[tuple[str, str, bool, bool]]]:
    schema = {}
    for table in await db.table_names():
        rows = await db.fetch_all(f'PRAGMA table_info("{table}")')
        schema[table] = [
            (str(r["name"]), _COMMON[str(r["type"])], bool(r["notnull"]) or bool(r["pk"]), bool(r["pk"]))
            for r in rows
        ]
    return schema


async def _pg_schema(db: PostgresDatabase) -> dict[str, list[tuple[str, str, bool, bool]]]:
    schema = {}
    for table in await db.table_names():
        rows = await db.fetch_all(
            "SELECT c.column_name AS name, c.data_type AS type, c.is_nullable AS nullable, "
            "EXISTS (SELECT 1 FROM information_schema.key_column_usage k "
            "JOIN information_schema.table_constraints tc ON tc.constraint_name = k.constraint_name "
            "AND tc.table_schema = k.table_schema "
            "WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema "
            "AND k.table_name = c.table_name AND k.column_name = c.column_name) AS pk "
            "FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = ? "
            "ORDER BY c.ordinal_position",
            (table,),
        )
        schema[table] = [
            (str(r["name"]), _COMMON[str(r["type"])], r["nullable"] == "NO", bool(r["pk"])) for r in rows
        ]
    return schema


async def _index_names_sqlite(db: SqliteDatabase) -> set[str]:
    rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    return {str(r["name"]) for r in rows}


async def _index_names_pg(db: PostgresDatabase) -> set[str]:
    rows = await db.fetch_all(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'"
    )
    return {str(r["indexname"]) for r in rows}


async def test_migrations_give_equivalent_schemas(tmp_path: Path, pg_url: str) -> None:
    lite = SqliteDatabase(tmp_path / "s.db")
    pg = PostgresDatabase(pg_url)
    await lite.connect()
    await pg.connect()
    try:
        latest = load_migrations()[-1][0]
        assert await lite.migrate() == latest
        assert await pg.migrate() == latest
        assert await pg.migrate() == latest  # idempotent
        lite_schema, pg_schema = await _sqlite_schema(lite), await _pg_schema(pg)
        assert sorted(lite_schema) == sorted(pg_schema)
        for table, columns in lite_schema.items():
            assert columns == pg_schema[table], table
        assert await _index_names_sqlite(lite) == await _index_names_pg(pg)
    finally:
        await lite.close()
        await pg.drop_schema()
        await pg.close()


async def test_protocol_semantics(pg_url: str) -> None:
    db = PostgresDatabase(pg_url)
    await db.connect()
    try:
        await db.migrate()
        first = await db.insert(
            "INSERT INTO schedules (guild_id, kind, rule, timezone, created_at) VALUES (?, ?, 'daily', ?, ?)",
            (123, "why?:it's", "UTC", "2026-01-01T00:00:00Z"),
        )
        second = await db.insert(
            "INSERT INTO schedules (guild_id, kind, skey, rule, timezone, created_at) "
            "VALUES (?, ?, ?, 'once', ?, ?)",
            (123, "b", 42, "UTC", "2026-01-01T00:00:00Z"),  # an int bound to TEXT, as SQLite allows
        )
        assert second == first + 1
        row = await db.fetch_one("SELECT skey, enabled FROM schedules WHERE schedule_id = ?", (second,))
        assert row == {"skey": "42", "enabled": 1}
        # Inserting into a table without an id column still works (there is no id to report).
        assert await db.insert("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "v")) == 0
        assert await db.execute("UPDATE schedules SET enabled = ? WHERE guild_id = ?", (False, 123)) == 2
        total = await db.fetch_one("SELECT SUM(enabled) AS s, AVG(every_weeks) AS a FROM schedules")
        assert total == {"s": 0, "a": 1.0}
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("DELETE FROM schedules")
                raise RuntimeError("roll back")
        assert len(await db.fetch_all("SELECT * FROM schedules")) == 2
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM send_ledger")
            await tx.execute("DELETE FROM schedules WHERE schedule_id = ?", (first,))
        assert [r["schedule_id"] for r in await db.fetch_all("SELECT schedule_id FROM schedules")] == [second]
        await db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("a", "1"), ("b", 2)])
        assert (await db.fetch_one("SELECT value FROM meta WHERE key = 'b'")) == {"value": "2"}
        assert await db.column_names("meta") == ["key", "value"]
    finally:
        await db.drop_schema()
        await db.close()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://bot:topsecret@127.0.0.1:1/test", "does not answer"),
        ("postgresql://postgres:topsecret@127.0.0.1:5432/no_such_database_here", "does not exist"),
    ],
)
async def test_start_up_errors_are_one_clear_line_without_the_password(
    url: str, says: str, pg_url: str
) -> None:
    db = PostgresDatabase(url, connect_timeout=3)
    with pytest.raises(DatabaseStartupError) as caught:
        await db.connect()
    message = str(caught.value)
    assert says in message and "topsecret" not in message and "***" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
