"""The database under stress: locked by another writer or a backup, and full."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot.db.sqlite import SqliteDatabase
from tests.conftest import Group, agree

pytestmark = pytest.mark.sqlite_only("about SQLite's own file: its locks and its size")


async def set_goal(group: Group, text: str) -> str:
    """``/goal set`` as the member (agreeing first if asked); returns what they were told."""
    me = group.member
    result = await me.slash(group.general, "goal set", text=text)
    if "Before I save anything" in (result.response.content or ""):
        result = await agree(me, result)
    return result.response.content or ""


async def goals(group: Group) -> str:
    """What the member sees in ``/goal list`` (the text is encrypted at rest)."""
    return (await group.member.slash(group.general, "goal list")).response.content or ""


def goal_rows(group: Group) -> int:
    with sqlite3.connect(group.bot.settings.database_path) as conn:
        return int(conn.execute("SELECT count(*) FROM community_goals").fetchone()[0])


def sqlite_db(group: Group) -> SqliteDatabase:
    db = group.bot.db
    assert isinstance(db, SqliteDatabase)
    return db


async def test_a_write_waits_for_another_writer_and_succeeds(group: Group) -> None:
    await set_goal(group, "Walk every morning")  # consent and schema in place
    other = sqlite3.connect(group.bot.settings.database_path, isolation_level=None)
    try:
        # Another process (a migration, a maintenance script) holds the write lock for a moment.
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO meta (key, value) VALUES ('maintenance', 'yes')")
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        told = await set_goal(group, "Drink water")
    finally:
        other.close()
    assert "Goal set" in told
    listed = await goals(group)
    assert "Walk every morning" in listed and "Drink water" in listed
    assert goal_rows(group) == 2
    with sqlite3.connect(group.bot.settings.database_path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'maintenance'").fetchone() == ("yes",)


async def test_writes_carry_on_during_a_backup_and_an_open_reader(group: Group, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await set_goal(group, "Walk every morning")
    reader = sqlite3.connect(group.bot.settings.database_path, isolation_level=None)
    target = sqlite3.connect(tmp_path / "backup.db")
    try:
        # A reader in the middle of a long read transaction, and a page-by-page online backup.
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM community_goals").fetchone()
        source = sqlite3.connect(group.bot.settings.database_path)
        pages_copied = 0

        def progress(status: int, remaining: int, total: int) -> None:
            nonlocal pages_copied
            pages_copied = total - remaining

        source.backup(target, pages=1, progress=progress)
        told = await set_goal(group, "Call a friend")
        source.backup(target, pages=1, progress=progress)  # copies the new state too
        source.close()
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert "Goal set" in told
    listed = await goals(group)
    assert "Walk every morning" in listed and "Call a friend" in listed
    assert goal_rows(group) == 2
    assert target.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    target.close()


@pytest.mark.allow_error_logs  # the operator is told, as an error, that the disk is full
async def test_a_full_disk_gives_a_kind_message_and_no_corruption(group: Group) -> None:
    await set_goal(group, "Walk every morning")
    db = sqlite_db(group)
    async with db.conn.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    # SQLite answers SQLITE_FULL once the file would have to grow: what a full disk does.
    await db.conn.execute(f"PRAGMA max_page_count = {int(row[0])}")
    text = "A long goal that needs space " * 100
    told = []
    for attempt in range(20):
        group.clock.advance(timedelta(seconds=5))  # a member typing, not mashing (limits.py)
        result = await group.member.slash(group.general, "goal set", text=f"{text[:150]} {attempt}")
        told.append(result.response.content or "")
        if "full" in told[-1]:
            break
    assert any("full" in t for t in told), told
    message = next(t for t in told if "full" in t)
    assert "Traceback" not in message and "sqlite" not in message.lower()
    assert "nothing was saved" in message.lower()
    for error in group.env.errors:  # the bot records the failure; the member saw the kind reply
        original = getattr(error, "original", error)
        assert isinstance(original, sqlite3.OperationalError) and "full" in str(original), repr(error)

    # Nothing is corrupted: the file checks out, and once space is back writes work again.
    async with db.conn.execute("PRAGMA integrity_check") as cursor:
        verdict = await cursor.fetchone()
    assert verdict is not None and tuple(verdict) == ("ok",)
    rows_when_full = goal_rows(group)
    await db.conn.execute("PRAGMA max_page_count = 1073741823")
    assert "Goal set" in await set_goal(group, "Rest on Sunday")
    listed = await goals(group)
    assert "Walk every morning" in listed and "Rest on Sunday" in listed
    assert goal_rows(group) == rows_when_full + 1
