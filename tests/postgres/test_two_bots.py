"""Two whole bots, one PostgreSQL database, eight servers over 4 shards, one loopback Discord.

Bot A runs shards 0 and 1, bot B shards 2 and 3, as two processes would (``SHARD_COUNT=4``,
``SHARD_IDS``). The loopback Discord shards like Discord: each bot hears only its own servers,
so each server is set up through the real ``/setup`` commands on the bot that owns it. Every
daily post and reminder DM must reach Discord exactly once, sent by the owning bot (told apart
by the User-Agent of the request that created it). Bot A is killed mid-send: B's servers carry
on, A's wait, and a fresh A delivers what they missed, once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_bot
from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.crypto import generate_key
from bot.core.settings import Settings
from tests.support.loopback import (
    MESSAGE_CREATE_ROUTE,
    FakeGuild,
    FakeMember,
    LoopbackDiscord,
    running,
    shard_of,
)

SHARDS = 4
OWNED = {"a": (0, 1), "b": (2, 3)}
GUILDS_PER_SHARD = 2
# Monday; London is on UTC in November, so local times read as UTC below.
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
POST_AT, REMIND_AT = "09:00", "09:30"


def at(day: int, hhmm: str) -> datetime:
    """``hhmm`` on day ``day`` of the test (day 1 is START's)."""
    hours, minutes = map(int, hhmm.split(":"))
    return START.replace(day=START.day + day - 1, hour=hours, minute=minutes)


def owner(guild: FakeGuild) -> str:
    return "a" if shard_of(guild.id, SHARDS) in OWNED["a"] else "b"


def make_bot(name: str, url: str, key: str, clock: FakeClock, tmp_path: Path) -> ResilienceBot:
    """One process: its shards, the shared database and key, and a User-Agent naming it."""
    settings = Settings(
        database_url=url,
        encryption_key=key,
        database_path=tmp_path / f"{name}.db",  # unused: DATABASE_URL wins
        shard_count=SHARDS,
        shard_ids=OWNED[name],
        # Two sends in flight: when A is killed some rows are mid-send and some not yet taken.
        outbox_concurrency=2,
        outbox_rate=1000.0,
    )
    bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
    bot.http.user_agent += f" process-{name}"

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py otherwise waits 5 s between its shards' IDENTIFYs

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    return bot


async def answered(fake: LoopbackDiscord, interaction_id: int) -> dict[str, Any]:
    """The callback's data once the bot has answered ``interaction_id``."""
    [record] = await fake.wait_for_callbacks([interaction_id])
    assert record.callback is not None
    data: dict[str, Any] = record.callback.get("data") or {}
    return data


async def set_up(fake: LoopbackDiscord, guild: FakeGuild) -> None:
    """The admin's ``/setup``: check-in channel, timezone, daily post time."""
    admin = guild.admins[0]
    for command, options in (
        ("setup channel", {"purpose": "checkins", "channel": guild.channel("check-ins")}),
        ("setup timezone", {"zone": "Europe/London"}),
        ("setup time", {"purpose": "checkin", "time": POST_AT}),
    ):
        reply = await answered(fake, await fake.inject_slash(guild, admin, command, options))
        assert str(reply.get("content")).startswith("Done"), (command, reply)


async def ask_for_reminders(
    fake: LoopbackDiscord, bot: ResilienceBot, guild: FakeGuild, member: FakeMember
) -> None:
    """``/checkin remind``, then **I agree** on the group agreement it shows first."""
    payload = fake.slash_payload(guild, member, "checkin remind", {"time": REMIND_AT})
    asked = int(payload["id"])
    # The click must not reach the bot before it has stored the prompt's view (a person is
    # never that quick): the command completes only after its reply, view and all, is sent.
    completed = asyncio.ensure_future(
        bot.wait_for("app_command_completion", check=lambda interaction, _: interaction.id == asked)
    )
    await fake.inject_interactions([payload])
    await asyncio.wait_for(completed, 10)
    [prompt] = await fake.wait_for_callbacks([asked])
    assert prompt.message is not None and "Before I save anything" in prompt.message["content"]
    buttons = [c for row in prompt.message["components"] for c in row["components"]]
    agree = next(b["custom_id"] for b in buttons if b.get("label") == "I agree")
    click = fake.component_payload(guild, member, prompt.message, agree)
    [clicked] = await fake.inject_interactions([click])
    reply = await answered(fake, clicked)
    assert f"I'll DM you at **{REMIND_AT}** (Europe/London)" in str(reply.get("content")), reply


async def test_two_bots_send_each_post_and_reminder_once_and_a_killed_one_catches_up(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    clock = FakeClock(START)
    key = generate_key()  # one ENCRYPTION_KEY for every process, as in common.env
    async with (
        LoopbackDiscord(global_limit=0, shard_count=SHARDS) as fake,
        contextlib.AsyncExitStack() as stack,
    ):
        guilds = [
            fake.add_guild(
                name=f"Group {shard}.{n}",
                channels=["general", "check-ins"],
                members=2,
                admins=1,
                shard=(shard, SHARDS),
            )
            for shard in range(SHARDS)
            for n in range(GUILDS_PER_SHARD)
        ]
        reminded = {g.id: g.regular_members[0] for g in guilds}  # one member per group

        def posts(guild: FakeGuild) -> list[dict[str, Any]]:
            return fake.messages_in(guild.channel("check-ins").id)

        def dms(guild: FakeGuild) -> list[dict[str, Any]]:
            """The DMs of the group's reminded member (the other member never asked)."""
            assert all(m.id not in fake.dm_channels for m in guild.regular_members[1:])
            channel = fake.dm_channels.get(reminded[guild.id].id)
            return fake.messages_in(channel.id) if channel else []

        def counts(of: Callable[[FakeGuild], list[dict[str, Any]]]) -> dict[str, int]:
            return {g.name: len(of(g)) for g in guilds}

        def check_senders() -> None:
            for guild in guilds:
                for message in posts(guild) + dms(guild):
                    assert fake.user_agent_of(message).endswith(f"process-{owner(guild)}"), guild.name

        bots = {
            "a": make_bot("a", pg_url, key, clock, tmp_path),
            "b": make_bot("b", pg_url, key, clock, tmp_path),
        }
        # Both processes start at once on the empty database.
        await asyncio.gather(*(stack.enter_async_context(running(bot)) for bot in bots.values()))
        a, b = bots["a"], bots["b"]
        for guild in guilds:
            mine, other = (a, b) if owner(guild) == "a" else (b, a)
            assert mine.get_guild(guild.id) is not None and other.get_guild(guild.id) is None

        # Each server is configured through its own bot; all eight at once.
        await asyncio.gather(*(set_up(fake, g) for g in guilds))
        await asyncio.gather(*(ask_for_reminders(fake, bots[owner(g)], g, reminded[g.id]) for g in guilds))

        # Day 1: both bots wake at the post time, then at the reminder time.
        clock.set(at(1, "09:01"))
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        assert counts(posts) == {g.name: 1 for g in guilds}
        clock.set(at(1, "09:31"))
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        assert counts(dms) == {g.name: 1 for g in guilds}
        check_senders()

        # Day 2, 09:01: B posts for its servers. A's Discord accepts its posts but, after the
        # first, the answers never come back; with two in flight and one not yet taken, A dies.
        clock.set(at(2, "09:01"))
        await b.scheduler.run_due()
        withheld = fake.withhold_answers(route=MESSAGE_CREATE_ROUTE, user_agent="process-a", after=1)
        a_run = asyncio.create_task(a.scheduler.run_due())
        await withheld.wait_held(2)
        a_run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await a_run
        await a.close()  # no drain: rows in flight stay 'sending', untaken ones 'pending'
        withheld.release()
        a_guilds = [g for g in guilds if owner(g) == "a"]
        b_guilds = [g for g in guilds if owner(g) == "b"]
        # Three of A's four posts reached Discord (one acknowledged, two not); B's all did.
        assert sum(len(posts(g)) for g in a_guilds) == len(a_guilds) + 3
        assert all(len(posts(g)) == 2 for g in b_guilds)
        rows = await b.db.fetch_all("SELECT guild_id, status FROM outbox WHERE kind = 'checkin:post'")
        a_ids = {g.id for g in a_guilds}
        assert Counter(r["status"] for r in rows if r["guild_id"] in a_ids) == Counter(
            sent=len(a_guilds) + 1, sending=2, pending=1
        )

        # 09:31 with A down: B's members get their reminder once; A's servers get nothing.
        while_down = (counts(posts), counts(dms))
        clock.set(at(2, "09:31"))
        await b.scheduler.run_due()
        await b.scheduler.run_due()
        expected_dms = {g.name: 2 if owner(g) == "b" else 1 for g in guilds}
        assert (counts(posts), counts(dms)) == (while_down[0], expected_dms)

        # 10:00: a fresh A (a new process on the same database) resumes its servers: the two
        # unacknowledged posts are re-sent with their nonce (Discord returns the originals), the
        # untaken one goes out, and its members' 09:30 reminders, 30 minutes late, once each.
        clock.set(at(2, "10:00"))
        a = bots["a"] = make_bot("a", pg_url, key, clock, tmp_path)
        await stack.enter_async_context(running(a))
        await fake.wait_for_messages(
            lambda: (
                counts(posts) == {g.name: 2 for g in guilds} and counts(dms) == {g.name: 2 for g in guilds}
            )
        )
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        assert counts(posts) == {g.name: 2 for g in guilds}
        assert counts(dms) == {g.name: 2 for g in guilds}
        assert fake.stats.nonce_duplicates == 2

        # Day 3: both bots as usual.
        for hhmm in ("09:01", "09:31"):
            clock.set(at(3, hhmm))
            await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        assert counts(posts) == {g.name: 3 for g in guilds}
        assert counts(dms) == {g.name: 3 for g in guilds}
        check_senders()

        # One outbox row per message Discord holds, each row sent and pointing at its message.
        rows = await a.db.fetch_all("SELECT status, message_id FROM outbox")
        assert {r["status"] for r in rows} == {"sent"}
        assert sorted(int(r["message_id"]) for r in rows) == sorted(int(m["id"]) for m in fake.messages)
        assert not fake.stats.unknown_routes
        assert fake.stats.statuses[400] == 0  # no interaction was answered by both bots
