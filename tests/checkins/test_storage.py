"""Check-in storage on a real SQLite file: upserts, pauses, reminders, and index use."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.checkins.store import CheckinRepository
from bot.core.crypto import install_ephemeral
from bot.db import SqliteDatabase

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
async def repo(tmp_path):
    db = SqliteDatabase(tmp_path / "checkins.db")
    await db.connect()
    await db.migrate()
    install_ephemeral(db, str(tmp_path / "checkins.db"))
    yield CheckinRepository(db)
    await db.close()


async def test_notes_are_encrypted_at_rest_and_read_back(repo):
    day = date(2026, 11, 23)
    await repo.put(1, 10, day, mood=3, emotions=(), note="slept badly again", shared=False, now=NOW)
    raw = await repo.db.fetch_one("SELECT note FROM checkins WHERE user_id = ?", (10,))
    assert raw is not None and "slept" not in raw["note"]
    saved = await repo.get(1, 10, day)
    assert saved is not None and saved.note == "slept badly again"


async def test_one_checkin_per_member_per_day(repo):
    day = date(2026, 11, 23)
    # The cog knows whether a submit replaces an earlier one from the days it reads for streaks.
    assert day not in (await repo.streak_inputs(1, 10))[0]
    await repo.put(1, 10, day, mood=2, emotions=("sad",), note="n", shared=False, now=NOW)
    assert day in (await repo.streak_inputs(1, 10))[0]
    await repo.put(1, 10, day, mood=4, emotions=("calm",), note=None, shared=True, now=NOW)
    saved = await repo.get(1, 10, day)
    assert saved is not None and saved.mood == 4 and saved.emotions == ("calm",) and saved.shared
    assert await repo.streak_inputs(1, 10) == ([day], [])
    assert await repo.streak_inputs(2, 10) == ([], [])  # another group sees nothing


async def test_pauses_and_ending_them(repo):
    await repo.add_pause(1, 10, date(2026, 11, 23), date(2026, 12, 5), NOW)
    assert await repo.pauses(1, 10) == [(date(2026, 11, 23), date(2026, 12, 5))]
    await repo.end_pauses(1, 10, date(2026, 11, 23))
    assert await repo.pauses(1, 10) == []


async def test_reminder_is_claimed_once_a_day(repo):
    await repo.set_reminder(1, 10, time(20, 30), NOW)
    assert await repo.claim_reminder_day(1, 10, date(2026, 11, 23))
    assert not await repo.claim_reminder_day(1, 10, date(2026, 11, 23))
    assert await repo.claim_reminder_day(1, 10, date(2026, 11, 24))
    assert await repo.delete_reminder(1, 10)
    assert await repo.get_reminder(1, 10) is None


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? "
            "AND local_date >= ? AND local_date <= ? ORDER BY local_date",
            (1, 10, "2026-08-25", "2026-11-23"),
        ),
        (
            "SELECT first_day, last_day FROM checkin_pauses WHERE guild_id = ? AND user_id = ? "
            "ORDER BY first_day",
            (1, 10),
        ),
    ],
)
async def test_member_queries_use_the_index_never_a_scan(repo, sql, params):
    # The same statements the repository runs for one member's 90-day history and pauses.
    plan = await repo.db.fetch_all(f"EXPLAIN QUERY PLAN {sql}", params)
    details = " | ".join(str(row["detail"]) for row in plan)
    assert "SEARCH" in details and "INDEX" in details, details
    assert "SCAN" not in details, details
    assert "TEMP B-TREE" not in details, details  # ordered by the index, no sort


async def test_the_streak_query_searches_both_primary_keys(repo):
    # ``streak_inputs``: every check-in day and every pause of one member, in one statement.
    plan = await repo.db.fetch_all(
        "EXPLAIN QUERY PLAN "
        "SELECT 0 AS part, local_date AS a, NULL AS b FROM checkins WHERE guild_id = ? AND user_id = ? "
        "UNION ALL SELECT 1 AS part, first_day AS a, last_day AS b FROM checkin_pauses "
        "WHERE guild_id = ? AND user_id = ? ORDER BY part, a",
        (1, 10, 1, 10),
    )
    details = [str(row["detail"]) for row in plan]
    for table in ("checkins", "checkin_pauses"):
        assert any(d.startswith(f"SEARCH {table} USING") and "INDEX" in d for d in details), details
    assert not any("SCAN" in d for d in details), details


async def test_pulse_query_uses_the_day_index(repo):
    plan = await repo.db.fetch_all(
        "EXPLAIN QUERY PLAN SELECT guild_id, user_id, local_date, mood, emotions FROM checkins "
        "WHERE guild_id = ? AND local_date >= ? AND local_date <= ? AND user_id IN (?, ?) "
        "ORDER BY local_date",
        (1, "2026-11-10", "2026-11-23", 10, 11),
    )
    details = " | ".join(str(row["detail"]) for row in plan)
    assert "SCAN" not in details, details
