"""Rate limits: 429s carry what discord.py needs to retry, and bucket headers make it pace itself."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from tests.support.loopback import MESSAGE_CREATE_ROUTE, LoopbackDiscord, running


async def test_a_429_is_retried_and_the_send_succeeds(fake: LoopbackDiscord, make_bot) -> None:
    bot = make_bot()
    channel_id = next(iter(fake.guilds.values())).channel("general").id
    async with running(bot):
        fake.rate_limit_next(1, retry_after=0.05, route=MESSAGE_CREATE_ROUTE)
        message = await bot.get_partial_messageable(channel_id).send("after one 429")

    assert message.content == "after one 429"
    assert fake.stats.requests[MESSAGE_CREATE_ROUTE] == 2
    assert fake.stats.rate_limited == 1
    assert fake.stats.invalid_requests == 1  # a 429 counts toward Discord's invalid-request limit
    assert fake.stats.messages_by_channel == {channel_id: 1}


async def test_the_global_limit_is_enforced_and_discord_py_recovers(make_bot) -> None:
    async with LoopbackDiscord(global_limit=2, global_period=0.2) as server:
        guild = server.add_guild(channels=[f"room{i}" for i in range(6)], members=1)
        bot = make_bot()
        async with running(bot):
            # Six channels, so no per-channel bucket is involved: only the global limit bites.
            sends = [bot.get_partial_messageable(c.id).send(f"to {c.name}") for c in guild.channels]
            await asyncio.gather(*sends)

    assert server.stats.global_rate_limited >= 1
    assert server.stats.messages_created == 6


async def test_429_responses_carry_via_headers_and_a_global_flag(make_bot) -> None:
    async with LoopbackDiscord(global_limit=1, global_period=5.0, route_limits={}) as server:
        auth = {"Authorization": "Bot raw"}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server.api_base}/users/@me", headers=auth) as first:
                assert first.status == 200
            async with session.get(f"{server.api_base}/users/@me", headers=auth) as second:
                body = await second.json()
                headers = second.headers

    assert second.status == 429
    # Without Via, discord.py treats a 429 as a Cloudflare ban and gives up at once.
    assert headers["Via"]
    assert headers["X-RateLimit-Scope"] == "global"
    assert body["global"] is True
    assert 0 < body["retry_after"] <= 5.0


async def test_a_client_ignoring_bucket_headers_is_rate_limited() -> None:
    """The control for the pacing test below: the fake really enforces the channel bucket."""
    async with LoopbackDiscord(route_limits={MESSAGE_CREATE_ROUTE: (2, 5.0)}) as server:
        channel = server.add_guild(members=1).channel("general")
        url = f"{server.api_base}/channels/{channel.id}/messages"
        auth = {"Authorization": "Bot raw"}
        statuses, limits = [], []
        async with aiohttp.ClientSession() as session:
            for n in range(3):
                async with session.post(url, json={"content": str(n)}, headers=auth) as r:
                    statuses.append(r.status)
                    limits.append((r.headers["X-RateLimit-Limit"], r.headers["X-RateLimit-Remaining"]))
                    assert r.headers["X-RateLimit-Bucket"]
                    assert float(r.headers["X-RateLimit-Reset-After"]) > 0

    assert statuses == [200, 200, 429]
    assert limits == [("2", "1"), ("2", "0"), ("2", "0")]
    assert server.stats.messages_created == 2


async def test_channel_bucket_headers_make_discord_py_pace_itself(make_bot) -> None:
    async with LoopbackDiscord(route_limits={MESSAGE_CREATE_ROUTE: (2, 0.3)}) as server:
        channel = server.add_guild(members=1).channel("general")
        bot = make_bot()
        async with running(bot):
            target = bot.get_partial_messageable(channel.id)
            await asyncio.gather(*(target.send(f"paced {n}") for n in range(6)))

    assert server.stats.messages_by_channel == {channel.id: 6}
    # Six sends through a bucket of two: only the headers can have held back the other four.
    assert server.stats.rate_limited == 0


async def test_closed_dms_answer_50007_and_count_as_invalid(fake: LoopbackDiscord, make_bot) -> None:
    member = next(iter(fake.guilds.values())).regular_members[0]
    fake.closed_dms.add(member.id)
    bot = make_bot()
    async with running(bot):
        dm = await bot.create_dm(discord.Object(member.id))
        with pytest.raises(discord.Forbidden) as refused:
            await dm.send("hello")

    assert refused.value.code == 50007
    assert fake.stats.invalid_requests == 1
    assert fake.stats.messages_created == 0
