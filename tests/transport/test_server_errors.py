"""5xx: what discord.py 2.7.1 retries, and what it surfaces."""

from __future__ import annotations

import discord
import pytest

from tests.support.loopback import MESSAGE_CREATE_ROUTE, LoopbackDiscord, running
from tests.transport.conftest import FastSleep


async def test_a_500_is_retried_and_the_send_succeeds(
    fake: LoopbackDiscord, make_bot, fast_http_sleep: FastSleep
) -> None:
    channel_id = next(iter(fake.guilds.values())).channel("general").id
    bot = make_bot()
    async with running(bot):
        fake.fail_next(2, status=500, route=MESSAGE_CREATE_ROUTE)
        message = await bot.get_partial_messageable(channel_id).send("through the outage")

    assert message.content == "through the outage"
    assert fake.stats.requests[MESSAGE_CREATE_ROUTE] == 3
    assert fake.stats.faults_injected == 2
    assert fake.stats.messages_created == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_persistent_5xx_is_surfaced_after_five_attempts(
    fake: LoopbackDiscord, make_bot, fast_http_sleep: FastSleep, status: int
) -> None:
    channel_id = next(iter(fake.guilds.values())).channel("general").id
    bot = make_bot()
    async with running(bot):
        fake.fail_next(100, status=status, route=MESSAGE_CREATE_ROUTE)
        with pytest.raises(discord.DiscordServerError) as failed:
            await bot.get_partial_messageable(channel_id).send("lost")

    assert failed.value.status == status
    assert fake.stats.requests[MESSAGE_CREATE_ROUTE] == 5
    assert fake.stats.messages_created == 0


async def test_a_503_is_not_retried_by_discord_py(
    fake: LoopbackDiscord, make_bot, fast_http_sleep: FastSleep
) -> None:
    """discord.py 2.7.1 retries 500, 502, 504 and 524 only: a 503 reaches the caller at once.

    Anything that must survive an outage answering 503 has to retry on its own.
    """
    channel_id = next(iter(fake.guilds.values())).channel("general").id
    bot = make_bot()
    async with running(bot):
        fake.fail_next(1, status=503, route=MESSAGE_CREATE_ROUTE)
        with pytest.raises(discord.DiscordServerError):
            await bot.get_partial_messageable(channel_id).send("first try")
        retried = await bot.get_partial_messageable(channel_id).send("second try")

    assert retried.content == "second try"
    assert fake.stats.requests[MESSAGE_CREATE_ROUTE] == 2
    assert fake.stats.messages_created == 1


async def test_an_outage_window_ends_on_the_fake_clock(make_bot, fast_http_sleep: FastSleep) -> None:
    now = [0.0]
    async with LoopbackDiscord(clock=lambda: now[0]) as server:
        channel = server.add_guild(members=1).channel("general")
        bot = make_bot()
        async with running(bot):
            server.fail_for(60, status=503)
            with pytest.raises(discord.DiscordServerError):
                await bot.get_partial_messageable(channel.id).send("during")
            now[0] += 61
            after = await bot.get_partial_messageable(channel.id).send("after")

    assert after.content == "after"
    assert server.stats.messages_created == 1
