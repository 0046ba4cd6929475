"""enforce_nonce: a repeated send with the same nonce returns the original message."""

from __future__ import annotations

import asyncio
import contextlib

from tests.support.loopback import MESSAGE_CREATE_ROUTE, LoopbackDiscord, running


async def test_the_same_nonce_twice_creates_one_message(fake: LoopbackDiscord, make_bot) -> None:
    guild = next(iter(fake.guilds.values()))
    general, wins = guild.channel("general"), guild.channel("wins")
    bot = make_bot()
    async with running(bot):
        first = await bot.get_partial_messageable(general.id).send("once", nonce=4242)
        repeat = await bot.get_partial_messageable(general.id).send("once", nonce=4242)
        other_nonce = await bot.get_partial_messageable(general.id).send("twice", nonce=4343)
        other_channel = await bot.get_partial_messageable(wins.id).send("elsewhere", nonce=4242)

    assert repeat.id == first.id
    assert other_nonce.id != first.id
    assert other_channel.id != first.id
    assert fake.stats.nonce_duplicates == 1
    assert fake.stats.messages_by_channel == {general.id: 2, wins.id: 1}
    assert [m["content"] for m in fake.messages_in(general.id)] == ["once", "twice"]


async def test_a_nonce_is_forgotten_after_the_window(make_bot) -> None:
    now = [0.0]
    async with LoopbackDiscord(clock=lambda: now[0], nonce_window=300) as server:
        channel = server.add_guild(members=1).channel("general")
        bot = make_bot()
        async with running(bot):
            first = await bot.get_partial_messageable(channel.id).send("morning", nonce=7)
            now[0] += 301
            later = await bot.get_partial_messageable(channel.id).send("morning", nonce=7)

    assert later.id != first.id
    assert server.stats.nonce_duplicates == 0
    assert server.stats.messages_created == 2


async def test_a_send_whose_answer_was_lost_is_kept_once_when_sent_again(
    fake: LoopbackDiscord, make_bot
) -> None:
    """Discord made the message but the answer never came back (the sender died): a new try with
    the same nonce returns that message."""
    channel = next(iter(fake.guilds.values())).channel("general")
    bot = make_bot()
    bot.http.user_agent += " process-x"
    withheld = fake.withhold_answers(route=MESSAGE_CREATE_ROUTE, user_agent="process-x")
    async with running(bot):
        lost = asyncio.ensure_future(bot.get_partial_messageable(channel.id).send("once", nonce=99))
        await withheld.wait_held(1)
        lost.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lost
        withheld.release()
        again = await bot.get_partial_messageable(channel.id).send("once", nonce=99)

    [message] = fake.messages_in(channel.id)
    assert int(message["id"]) == again.id
    assert fake.stats.nonce_duplicates == 1
    assert fake.user_agent_of(message).endswith("process-x")
