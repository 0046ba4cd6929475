"""The gateway: a dropped connection RESUMEs and replays what was missed."""

from __future__ import annotations

import asyncio

import discord

from tests.support.loopback import LoopbackDiscord, running


async def test_a_dropped_gateway_reconnects_and_resumes(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()
    async with running(bot):
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        await fake.drop_gateway()
        await asyncio.wait_for(resumed, 4)
        assert bot.is_ready()

    assert fake.stats.gateway_connections == 2
    assert fake.stats.identifies == 1
    assert fake.stats.resumes == 1


async def test_events_sent_while_disconnected_are_replayed_on_resume(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()

    @bot.tree.command(name="ping", description="Answer pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    guild = next(iter(fake.guilds.values()))
    async with running(bot):
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        await fake.drop_gateway()
        # Nobody is connected now: the event waits in the session buffer.
        iid = await fake.inject_slash(guild, guild.regular_members[0], "ping")
        [record] = await fake.wait_for_callbacks([iid], within=4)
        await asyncio.wait_for(resumed, 4)

    assert record.callback is not None
    assert record.callback["data"]["content"] == "pong"
    assert fake.stats.resumes == 1


async def test_an_unresumable_drop_makes_the_bot_identify_again(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()
    readies = 0

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py's default hook sleeps 5 s before every IDENTIFY after the first.
        return None

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]

    @bot.event
    async def on_ready() -> None:
        nonlocal readies
        readies += 1

    async with running(bot):
        ready_again = asyncio.ensure_future(bot.wait_for("ready"))
        await fake.drop_gateway(resumable=False)
        await asyncio.wait_for(ready_again, 4)

    assert fake.stats.invalid_sessions == 1
    assert fake.stats.identifies == 2
    assert readies == 2


async def test_op7_reconnect_is_followed_by_a_resume(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()
    async with running(bot):
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        await fake.request_reconnect()
        await asyncio.wait_for(resumed, 4)

    assert fake.stats.resumes == 1
    assert fake.stats.identifies == 1
