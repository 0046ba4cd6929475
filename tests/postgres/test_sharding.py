"""Two processes, one PostgreSQL database, guilds over 4 shards: every scheduled post goes out once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import FakeClock
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule, ShardFilter
from bot.core.scheduler import Scheduler
from bot.db.postgres import PostgresDatabase

SHARDS = 4
# Discord's rule: a guild lives on shard (guild_id >> 22) % shard_count. Three guilds per shard.
GUILDS = [((n * SHARDS + shard) << 22) | 777 for shard in range(SHARDS) for n in range(1, 4)]
OWNED = {"a": (0, 1), "b": (2, 3)}


class Process:
    """What a bot process contributes here: its own pool and a scheduler over its own shards."""

    def __init__(self, name: str, url: str, clock: FakeClock, sent: Counter[tuple[int, datetime]]) -> None:
        self.name = name
        self.db = PostgresDatabase(url)
        self.scheduler = Scheduler(
            self.db, clock, grace=timedelta(hours=2), alarm=False, shards=ShardFilter(SHARDS, OWNED[name])
        )
        self.by_me: list[int] = []

        async def post(schedule: Schedule, occurrence: datetime) -> None:
            sent[(schedule.guild_id, occurrence)] += 1
            self.by_me.append(schedule.guild_id)

        self.scheduler.register("checkins:post", post)

    async def start(self) -> Process:
        await self.db.connect()
        await self.db.migrate()
        return self

    async def stop(self) -> None:
        await self.db.close()


def owner(guild_id: int) -> str:
    return "a" if (guild_id >> 22) % SHARDS in OWNED["a"] else "b"


async def test_two_processes_each_post_once_and_a_restart_resumes_its_guilds(pg_url: str) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    sent: Counter[tuple[int, datetime]] = Counter()
    a, b = await asyncio.gather(
        Process("a", pg_url, clock, sent).start(), Process("b", pg_url, clock, sent).start()
    )
    try:
        for guild_id in GUILDS:
            await a.scheduler.set(guild_id, "checkins:post", Rule.daily(time(9, 0), ZoneInfo("UTC")))
        assert {(g >> 22) % SHARDS for g in GUILDS} == {0, 1, 2, 3}

        # Day 1: both processes wake at once; each posts for its own guilds only.
        day1 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        clock.set(day1)
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due(), a.scheduler.run_due())
        assert sent == Counter({(g, day1): 1 for g in GUILDS})
        assert sorted(a.by_me) == sorted(g for g in GUILDS if owner(g) == "a")
        assert sorted(b.by_me) == sorted(g for g in GUILDS if owner(g) == "b")

        # Day 2: process b is down. a's guilds are unaffected; b's wait.
        await b.stop()
        day2 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        clock.set(day2)
        await a.scheduler.run_due()
        assert {g for (g, when) in sent if when == day2} == {g for g in GUILDS if owner(g) == "a"}

        # b restarts 40 minutes later (within the catch-up grace): its guilds get day 2, once.
        clock.set(day2 + timedelta(minutes=40))
        b = await Process("b", pg_url, clock, sent).start()
        await asyncio.gather(b.scheduler.run_due(), a.scheduler.run_due())
        assert sent == Counter({(g, when): 1 for g in GUILDS for when in (day1, day2)})
        assert sorted(b.by_me) == sorted(g for g in GUILDS if owner(g) == "b")
    finally:
        await a.db.drop_schema()
        await a.stop()
        await b.stop()
