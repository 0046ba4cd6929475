"""enforce_nonce: a repeated send with the same nonce returns the original message."""

from __future__ import annotations

from tests.support.loopback import LoopbackDiscord, running


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
