"""Sharded deployment on SQLite's claim path: a worker takes only its own guilds' rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import create_bot
from bot.core.clock import FakeClock
from bot.core.outbox_store import OutboxRepository
from bot.core.schedule_store import ShardFilter
from bot.core.settings import Settings
from bot.db import SqliteDatabase

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# One guild per shard of 4, and guild 0 (messages not tied to a group).
GUILDS = [(shard << 22) | 5 for shard in range(4)] + [0]


async def test_take_due_and_resume_see_only_owned_guilds(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "s.db")
    await db.connect()
    await db.migrate()
    try:
        everyone = OutboxRepository(db)
        for guild_id in GUILDS:
            async with db.transaction() as tx:
                await everyone.add(
                    tx, guild_id=guild_id, kind="t", dedupe_key=f"t:{guild_id}", nonce=f"n{guild_id}",
                    priority=50, channel_id=1, user_id=None, payload={}, ref="", due_at=NOW, now=NOW,
                )  # fmt: skip
        low = OutboxRepository(db, shards=ShardFilter(4, (0, 1)))
        high = OutboxRepository(db, shards=ShardFilter(4, (2, 3)))
        assert {r.guild_id for r in await high.take_due(NOW, 10)} == {GUILDS[2], GUILDS[3]}
        assert {r.guild_id for r in await low.take_due(NOW, 10)} == {GUILDS[0], GUILDS[1], 0}
        assert await high.resume() == 2  # only its own 'sending' rows
        # /status in each process counts that process's rows: 2 of the 5 wait for the high one
        assert (await high.health(NOW, NOW)).pending == 2
        assert (await low.health(NOW, NOW)).pending == 3
        assert (await everyone.health(NOW, NOW)).pending == 5
        assert {r.guild_id for r in await everyone.all("sending")} == {GUILDS[0], GUILDS[1], 0}
    finally:
        await db.close()


def test_create_bot_gives_the_outbox_the_schedulers_shards(tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    sharded = create_bot(
        Settings(database_path=tmp_path / "a.db", shard_count=4, shard_ids=(1, 3)), clock=clock
    )
    assert sharded.outbox.repo.shards == ShardFilter(4, (1, 3))
    assert create_bot(Settings(database_path=tmp_path / "b.db"), clock=clock).outbox.repo.shards is None
