"""Sharding as on Discord: each shard's session hears only its own guilds; DMs go to shard 0."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
from discord.ext import commands

from tests.support.loopback import LoopbackDiscord, running, shard_of

SHARDS = 2


def shard_bot(shard_id: int) -> commands.AutoShardedBot:
    """A bare bot running one shard of two, answering /ping with its shard."""
    bot = commands.AutoShardedBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        shard_count=SHARDS,
        shard_ids=[shard_id],
        guild_ready_timeout=0.05,
    )

    @bot.tree.command(name="ping", description="Answer with the shard")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"pong from shard {shard_id}")

    return bot


async def test_each_shard_hears_only_its_own_guilds() -> None:
    async with LoopbackDiscord(shard_count=SHARDS) as fake:
        guilds = [fake.add_guild(name=f"Group {n}", members=1, shard=(n % SHARDS, SHARDS)) for n in range(4)]
        bots = [shard_bot(0), shard_bot(1)]
        async with running(bots[0]), running(bots[1]):
            for shard_id, bot in enumerate(bots):
                expected = {g.id for g in guilds if shard_of(g.id, SHARDS) == shard_id}
                assert {g.id for g in bot.guilds} == expected
            ids = [await fake.inject_slash(g, g.regular_members[0], "ping") for g in guilds]
            records = await fake.wait_for_callbacks(ids)

            # A DM belongs to no guild: its MESSAGE_CREATE goes to shard 0 only.
            heard = asyncio.ensure_future(bots[0].wait_for("message"))
            dm = await bots[1].create_dm(discord.Object(guilds[0].regular_members[0].id))
            sent = await dm.send("hello")
            assert (await asyncio.wait_for(heard, 5)).id == sent.id

    for guild, record in zip(guilds, records, strict=True):
        assert record.callback is not None
        assert record.callback["data"]["content"] == f"pong from shard {shard_of(guild.id, SHARDS)}"
    assert fake.stats.statuses[400] == 0  # nobody answered an interaction twice
    assert fake.stats.identifies == SHARDS
    assert len({g.id for g in guilds}) == len(guilds)
    assert [g.id for g in guilds] == sorted(g.id for g in guilds)
    for guild in guilds:
        age = dt.datetime.now(dt.UTC) - discord.utils.snowflake_time(guild.id)
        assert abs(age) < dt.timedelta(minutes=1)
