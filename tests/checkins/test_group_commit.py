"""``CheckinRepository.put``: concurrent submits share commits; one bad row fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime

import pytest

from bot.checkins.store import CheckinRepository
from bot.core.crypto import install_ephemeral
from bot.db import SqliteDatabase

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


@pytest.fixture
async def repo(tmp_path):
    db = SqliteDatabase(tmp_path / "commit.db")
    await db.connect()
    await db.migrate()
    install_ephemeral(db, str(tmp_path / "commit.db"))
    yield CheckinRepository(db)
    await db.close()


def put(repo, user_id, mood=4, note=None):
    return repo.put(1, user_id, DAY, mood=mood, emotions=("calm",), note=note, shared=False, now=NOW)


async def test_a_burst_of_puts_is_committed_in_a_few_transactions(repo):
    transactions = 0
    opened = repo.db.transaction

    def counting():
        nonlocal transactions
        transactions += 1
        return opened()

    repo.db.transaction = counting
    await asyncio.gather(*(put(repo, user, note=f"note {user}") for user in range(200)))
    rows = await repo.db.fetch_all("SELECT user_id FROM checkins ORDER BY user_id")
    assert [r["user_id"] for r in rows] == list(range(200))
    assert transactions <= 3
    saved = await repo.get(1, 7, DAY)
    assert saved is not None and saved.note == "note 7"


async def test_one_bad_row_fails_alone(repo):
    results = await asyncio.gather(put(repo, 1), put(repo, 2, mood=9), put(repo, 3), return_exceptions=True)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], sqlite3.IntegrityError)
    rows = await repo.db.fetch_all("SELECT user_id FROM checkins ORDER BY user_id")
    assert [r["user_id"] for r in rows] == [1, 3]


async def test_a_lone_put_then_another_each_commit(repo):
    await put(repo, 1, mood=2)
    await put(repo, 1, mood=5)
    saved = await repo.get(1, 1, DAY)
    assert saved is not None and saved.mood == 5
