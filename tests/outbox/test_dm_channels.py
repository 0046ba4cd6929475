"""A member's DM channel id is stored once: the next day's reminder is one request, not two."""

from __future__ import annotations

from bot.app import create_bot
from bot.core.dm_channels import DmChannelRepository
from bot.core.settings import Settings
from tests.outbox.conftest import Loop
from tests.support.loopback import MESSAGE_CREATE_ROUTE, running

DM_ROUTE = "POST /users/@me/channels"


async def test_the_next_days_reminder_after_a_restart_is_one_request(loop: Loop, clock) -> None:
    person = loop.guild.regular_members[0]
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="day1", user_id=person.id, content="Day one."
    )
    await loop.bot.outbox.drain()
    channel_id = loop.fake.dm_channels[person.id].id
    assert await DmChannelRepository(loop.bot.db).get(person.id) == channel_id
    assert loop.fake.stats.requests[DM_ROUTE] == 1
    await loop.bot.close()

    # A new process: discord.py's cache and the outbox's memory are empty, the database is not.
    again = create_bot(Settings(database_path=loop.database), clock=clock, guild_ready_timeout=0.05)
    async with running(again):
        await loop.started(again)
        messages_before = loop.fake.stats.requests[MESSAGE_CREATE_ROUTE]
        await again.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:dm", key="day2", user_id=person.id, content="Day two."
        )
        await again.outbox.drain()

    assert loop.fake.stats.requests[DM_ROUTE] == 1  # not opened again
    assert loop.fake.stats.requests[MESSAGE_CREATE_ROUTE] == messages_before + 1
    assert [m["content"] for m in loop.fake.messages_in(channel_id)] == ["Day one.", "Day two."]


async def test_a_stored_channel_discord_no_longer_knows_is_opened_again_once(loop: Loop) -> None:
    person = loop.guild.regular_members[1]
    stale = loop.fake.new_id()  # an id the fake has never seen: it answers 404 / 10003
    store = DmChannelRepository(loop.bot.db)
    await store.store(person.id, stale, loop.clock.now())
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="1", user_id=person.id, content="Still reaches you."
    )
    report = await loop.bot.outbox.drain()

    fresh = loop.fake.dm_channels[person.id].id
    assert fresh != stale
    assert await store.get(person.id) == fresh
    assert [m["content"] for m in loop.fake.messages_in(fresh)] == ["Still reaches you."]
    assert loop.fake.stats.requests[DM_ROUTE] == 1
    assert loop.fake.stats.statuses[404] == 1
    (row,) = await loop.bot.outbox.repo.all()
    assert report.sent == [row.outbox_id] and row.status == "sent"

    # And the next DM goes straight to the new channel.
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="2", user_id=person.id, content="Again."
    )
    await loop.bot.outbox.drain()
    assert loop.fake.stats.requests[DM_ROUTE] == 1
    assert loop.fake.stats.statuses[404] == 1
    assert [m["content"] for m in loop.fake.messages_in(fresh)] == ["Still reaches you.", "Again."]
