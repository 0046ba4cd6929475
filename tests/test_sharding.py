"""Sharded deployments: the bot connects as its own shards and schedules only for their guilds."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import discord
import simcord

from bot.app import create_bot
from bot.core.bot import ShardedResilienceBot
from bot.core.clock import FakeClock
from bot.core.schedule_rules import Rule
from bot.core.settings import Settings


async def test_shard_settings_make_an_autosharded_bot_that_fires_only_for_its_guilds(tmp_path):
    settings = Settings(database_path=tmp_path / "s.db", shard_count=4, shard_ids="0,1")
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
    assert isinstance(bot, ShardedResilienceBot)
    assert isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count == 4 and list(bot.shard_ids or []) == [0, 1]
    fired: list[int] = []

    async def record(schedule, occurrence) -> None:  # type: ignore[no-untyped-def]
        fired.append(schedule.guild_id)

    try:
        async with simcord.run(bot) as env:
            ours = env.create_guild("ours", shard_id=1)
            theirs = env.create_guild("theirs", shard_id=2)
            assert bot.get_guild(ours.id) is not None
            bot.scheduler.register("test:post", record)
            london = ZoneInfo("Europe/London")
            await bot.scheduler.set(ours.id, "test:post", Rule.daily(time(9, 0), london))
            await bot.scheduler.set(theirs.id, "test:post", Rule.daily(time(9, 0), london))
            clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
            await bot.scheduler.run_due()
            assert fired == [ours.id]
    finally:
        await bot.release()


def test_unsharded_settings_make_a_plain_bot(tmp_path):
    bot = create_bot(Settings(database_path=tmp_path / "p.db"))
    assert not isinstance(bot, discord.AutoShardedClient)
