"""A dropped gateway mid-day: our real bot RESUMEs, the due post goes out once, its button still works.

The bot talks to the loopback Discord (tests/support/loopback.py) over real sockets, so the
disconnect, RESUME and replay are discord.py's own.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_bot
from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from tests.support.cards import button_ids
from tests.support.loopback import FakeGuild, LoopbackDiscord, running

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
POST_AT = time(9, 0)


@pytest.fixture
async def fake() -> Any:
    async with LoopbackDiscord(global_limit=0) as server:
        yield server


async def configure(bot: ResilienceBot, guild: FakeGuild) -> None:
    """What /setup would store: a check-in channel and a daily post time, in London."""
    now = bot.clock.now()
    await bot.guilds_repo.set_channel(guild.id, "checkins", guild.channel("check-ins").id, now)
    await bot.guilds_repo.set_field(guild.id, "timezone", "Europe/London", now)
    await bot.guilds_repo.set_field(guild.id, "checkin_time", POST_AT.isoformat(), now)
    await bot.config_changed(guild.id)


def click_payload(
    fake: LoopbackDiscord, guild: FakeGuild, message: dict[str, Any], custom_id: str
) -> dict[str, Any]:
    """An INTERACTION_CREATE for a button click on ``message``, as Discord sends it."""
    member = guild.regular_members[0]
    payload = fake.slash_payload(guild, member, "checkin now", channel=guild.channel("check-ins"))
    payload["type"] = 3  # MESSAGE_COMPONENT
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = message
    return payload


async def test_a_drop_mid_day_resumes_and_the_due_post_goes_out_once(
    fake: LoopbackDiscord, tmp_path: Path
) -> None:
    guild = fake.add_guild(name="Group", channels=["general", "check-ins"], members=3, admins=1)
    clock = FakeClock(START)
    bot = create_bot(Settings(database_path=tmp_path / "bot.db"), clock=clock, guild_ready_timeout=0.05)
    checkins = guild.channel("check-ins")
    async with running(bot):
        await configure(bot, guild)
        member = guild.regular_members[0]
        config = await bot.guilds_repo.get(guild.id)
        await bot.members.consent(guild.id, member.id, config.agreement_version, clock.now())

        # 09:01 local: the post is due; the gateway drops just as the scheduler runs.
        clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        await fake.drop_gateway()
        await bot.scheduler.run_due()
        await asyncio.wait_for(resumed, 10)
        # After RESUME the scheduler runs again (as the alarm would): nothing is posted twice.
        await bot.scheduler.run_due()
        clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
        await bot.scheduler.run_due()

        posts = fake.messages_in(checkins.id)
        assert len(posts) == 1, [p["content"][:60] for p in posts]
        assert f"checkin:open:{guild.id}" in button_ids(posts[0])
        assert fake.stats.resumes == 1
        assert fake.stats.identifies == 1

        # The persistent button on that post still opens the form after the RESUME.
        click = click_payload(fake, guild, posts[0], f"checkin:open:{guild.id}")
        ids = await fake.inject_interactions([click])
        [record] = await fake.wait_for_callbacks(ids, within=10)
        assert record.callback is not None
        assert record.callback["type"] == 9, record.callback  # a modal
        assert record.callback["data"]["title"] == "Daily check-in"

        # And the next day's post goes out once too.
        clock.set(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
        await bot.scheduler.run_due()
        await bot.scheduler.run_due()
        assert len(fake.messages_in(checkins.id)) == 2


async def test_an_unresumable_drop_identifies_again_and_nothing_is_lost(
    fake: LoopbackDiscord, tmp_path: Path
) -> None:
    guild = fake.add_guild(name="Group", channels=["general", "check-ins"], members=3, admins=1)
    clock = FakeClock(START)
    bot = create_bot(Settings(database_path=tmp_path / "bot.db"), clock=clock, guild_ready_timeout=0.05)

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py otherwise waits 5 s before a second IDENTIFY

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    async with running(bot):
        await configure(bot, guild)
        clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))
        ready_again = asyncio.ensure_future(bot.wait_for("ready"))
        await fake.drop_gateway(resumable=False)
        await asyncio.wait_for(ready_again, 10)
        await bot.scheduler.run_due()
        await bot.scheduler.run_due()
        assert len(fake.messages_in(guild.channel("check-ins").id)) == 1
        assert fake.stats.identifies == 2
