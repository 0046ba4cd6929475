"""Logging in and connecting: the real discord.py client reaches READY against the loopback."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.support.loopback import LoopbackDiscord, running


async def test_bot_logs_in_and_sees_the_guild(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()
    guild = next(iter(fake.guilds.values()))

    async with running(bot):
        assert bot.is_ready()
        assert bot.user is not None
        assert bot.user.id == fake.bot_user.id
        assert bot.application_id == fake.application_id
        [seen] = bot.guilds
        assert seen.id == guild.id
        assert seen.member_count == len(guild.members)
        assert sorted(c.name for c in seen.text_channels) == ["checkins", "general", "wins"]

    assert fake.stats.requests["GET /users/@me"] == 1
    assert fake.stats.requests["GET /oauth2/applications/@me"] == 1
    assert fake.stats.identifies == 1
    assert fake.stats.unknown_routes == {}


async def test_wrong_token_is_refused_at_login(make_bot) -> None:
    async with LoopbackDiscord(token="the-right-token") as strict:
        bot = make_bot()
        with pytest.raises(discord.LoginFailure):
            async with running(bot, token="a-wrong-token"):
                pass
        assert strict.stats.invalid_requests == 1


async def test_command_sync_is_stored_and_ids_reach_the_bot(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()

    @bot.tree.command(name="ping", description="Answer pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    guild = next(iter(fake.guilds.values()))
    async with running(bot):
        synced = await bot.tree.sync()
        bot.tree.copy_global_to(guild=discord.Object(guild.id))
        guild_synced = await bot.tree.sync(guild=discord.Object(guild.id))

        iid = await fake.inject_slash(guild, guild.regular_members[0], "ping")
        [record] = await fake.wait_for_callbacks([iid], within=3)

    assert [c.name for c in synced] == ["ping"]
    assert synced[0].id == int(fake.global_commands[0]["id"])
    assert [c.name for c in guild_synced] == ["ping"]
    assert record.callback == {"type": 4, "data": {"tts": False, "content": "pong", "flags": 64}}


async def test_responses_are_plain_application_json(fake: LoopbackDiscord) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bot x"}) as response,
    ):
        assert response.status == 200
        # discord.py parses JSON only when the content type is exactly this.
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["id"] == str(fake.bot_user.id)
