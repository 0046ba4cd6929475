"""Check-in benchmarks.

- ``streak_query_ms``: one member's streak (every check-in day + pauses) and 90-day history,
  read through the real repository and computed with ``compute_streak``, with 1,000,000
  check-in rows in a SQLite file (5,000 members x 200 days). Median over many members. The
  baseline is the same query on a table of 10,000 rows (50 members x 200 days): thanks to the
  primary-key index the ratio stays about 1 as the table grows a hundredfold.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import result
from bot.db import SqliteDatabase, to_db_time
from bot.repos.checkins import CheckinRepository
from bot.streaks import compute_streak

GUILD = 1
DAYS = 200
TODAY = date(2026, 11, 23)
QUERIES = 200
_BATCH = 50_000


async def _build(path: Path, members: int) -> SqliteDatabase:
    db = SqliteDatabase(path)
    await db.connect()
    await db.migrate()
    stamp = to_db_time(datetime(2026, 11, 23, tzinfo=UTC))
    rng = random.Random(7)
    batch: list[tuple[Any, ...]] = []
    sql = (
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, emotions, note, shared, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?)"
    )
    for user in range(1, members + 1):
        for offset in range(DAYS):
            day = (TODAY - timedelta(days=offset)).isoformat()
            batch.append((GUILD, user, day, rng.randint(1, 5), "calm,sad", stamp, stamp))
            if len(batch) >= _BATCH:
                await db.executemany(sql, batch)
                batch.clear()
    if batch:
        await db.executemany(sql, batch)
    return db


async def _query_ms(db: SqliteDatabase, members: int) -> float:
    repo = CheckinRepository(db)
    rng = random.Random(11)
    timings = []
    for i in range(QUERIES + 20):
        user = rng.randint(1, members)
        started = time.perf_counter()
        days = await repo.days(GUILD, user)
        pauses = await repo.pauses(GUILD, user)
        compute_streak(days, TODAY, pauses)
        await repo.history(GUILD, user, TODAY - timedelta(days=89), TODAY)
        if i >= 20:  # the first few warm the page cache on both sides alike
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _streak_query() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        small = await _build(Path(tmp) / "small.db", 50)
        baseline = await _query_ms(small, 50)
        await small.close()
        large = await _build(Path(tmp) / "large.db", 5_000)
        value = await _query_ms(large, 5_000)
        await large.close()
    return result("streak_query_ms", value, "ms", baseline)


def run() -> list[dict[str, Any]]:
    return [asyncio.run(_streak_query())]


if __name__ == "__main__":
    for line in run():
        print(line)
