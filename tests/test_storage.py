"""SQLite storage on real files: migrations, transactions, and start-up errors people can act on."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.db import DatabaseStartupError, SqliteDatabase
from bot.db.sqlite import load_migrations


async def test_migrations_apply_from_empty_and_rerun_is_a_no_op(tmp_path):
    db = SqliteDatabase(tmp_path / "fresh.db")
    await db.connect()
    latest = max(n for n, _, _ in load_migrations())
    assert await db.migrate() == latest
    assert await db.schema_version() == latest
    tables = await db.table_names()
    assert {"guilds", "guild_channels", "members", "schedules", "send_ledger", "meta"} <= set(tables)
    assert await db.migrate() == latest
    await db.close()
    # A second process opening the same file finds it current.
    again = SqliteDatabase(tmp_path / "fresh.db")
    await again.connect()
    assert await again.migrate() == latest
    await again.close()


async def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path):
    db = SqliteDatabase(tmp_path / "p.db")
    await db.connect()
    assert (await db.fetch_one("PRAGMA journal_mode"))["journal_mode"] == "wal"
    assert (await db.fetch_one("PRAGMA foreign_keys"))["foreign_keys"] == 1
    assert (await db.fetch_one("PRAGMA busy_timeout"))["timeout"] == 5000
    await db.close()


async def test_transaction_rolls_back_everything_on_error(tmp_path):
    db = SqliteDatabase(tmp_path / "t.db")
    await db.connect()
    await db.migrate()
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "1"))
            raise RuntimeError("half way")
    assert await db.fetch_one("SELECT * FROM meta WHERE key = ?", ("a",)) is None
    await db.close()


async def test_concurrent_writes_are_each_durable(tmp_path):
    path = tmp_path / "c.db"
    db = SqliteDatabase(path)
    await db.connect()
    await db.migrate()
    await asyncio.gather(
        *(db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{i}", str(i))) for i in range(200))
    )
    # Another connection (another process) sees every acknowledged write.
    other = sqlite3.connect(path)
    assert other.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0] == 200
    other.close()
    await db.close()


async def test_a_failed_migration_changes_nothing(tmp_path, monkeypatch):
    db = SqliteDatabase(tmp_path / "m.db")
    await db.connect()
    good = load_migrations()
    broken = [*good, (len(good) + 1, "999_broken.sql", "CREATE TABLE ok_then (x INTEGER);\nNOT SQL;")]
    monkeypatch.setattr("bot.db.sqlite.load_migrations", lambda: broken)
    with pytest.raises(DatabaseStartupError, match=r"999_broken\.sql"):
        await db.migrate()
    assert await db.schema_version() == 0
    assert await db.table_names() == []
    await db.close()


async def test_corrupt_file_is_a_clear_startup_error(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database, just some bytes" * 200)
    db = SqliteDatabase(path)
    with pytest.raises(DatabaseStartupError, match="damaged or is not a database"):
        await db.connect()


async def test_path_through_a_file_is_a_clear_startup_error(tmp_path):
    # Works for root too: a folder cannot be created inside a regular file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(DatabaseStartupError, match="cannot create the folder for DATABASE_PATH"):
        await SqliteDatabase(blocker / "resilience.db").connect()
