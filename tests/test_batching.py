"""``bot.db.batching.GroupCommit`` on a real SQLite file: what callers who stop waiting leave behind.

Batching itself (a burst in a few commits, one bad row failing alone) is tested through its
user, ``CheckinRepository.put``, in tests/checkins/test_group_commit.py.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.db import SqliteDatabase
from bot.db.batching import GroupCommit

INSERT = "INSERT INTO notes (n) VALUES (?)"


@pytest.fixture
async def db(tmp_path):
    database = SqliteDatabase(tmp_path / "batching.db")
    await database.connect()
    await database.execute("CREATE TABLE notes (n INTEGER NOT NULL UNIQUE)")
    yield database
    await database.close()


async def numbers(db: SqliteDatabase) -> list[int]:
    return [int(r["n"]) for r in await db.fetch_all("SELECT n FROM notes ORDER BY n")]


async def test_a_caller_that_stops_waiting_does_not_cancel_the_others_commit(db):
    writes = GroupCommit(db, INSERT, name="note")
    callers = [asyncio.create_task(writes.write((n,))) for n in range(5)]
    await asyncio.sleep(0)  # every row is queued
    callers[2].cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    assert [r for i, r in enumerate(results) if i != 2] == [None] * 4
    assert await numbers(db) == [0, 1, 2, 3, 4]  # the cancelled caller's row was committed too


@pytest.mark.parametrize("steps", [0, 3], ids=["before-its-first-step", "inside-its-transaction"])
async def test_a_stopped_writer_leaves_nobody_waiting(db, steps):
    writes = GroupCommit(db, INSERT, name="note")
    callers = [asyncio.create_task(writes.write((n,))) for n in range(3)]
    await asyncio.sleep(0)  # every row is queued and the writer exists
    for _ in range(steps):
        await asyncio.sleep(0)
    assert writes._writer is not None
    writes._writer.cancel()  # the bot is shutting down
    results = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), timeout=5)
    assert all(isinstance(r, RuntimeError) and "note write was interrupted" in str(r) for r in results)
    await writes.write((9,))  # a later write starts a new writer
    assert 9 in await numbers(db)
