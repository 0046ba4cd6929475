"""Two servers, the same people in both, acting at once: nothing crosses from one group to the other."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import simcord

from bot.app import create_bot
from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from tests.conftest import Group, build_group, configure, show_facilitator_commands
from tests.support.loopback import FakeMember, LoopbackDiscord, running

PEOPLE = 4


async def two_groups(env: simcord.Env, bot: ResilienceBot, clock: FakeClock) -> tuple[Group, Group]:
    north = build_group(env, bot, clock, name="North Group", members=PEOPLE)
    south = build_group(env, bot, clock, name="South Group", members=0)
    # The same people belong to both servers.
    south.members = [south.guild.add_member(m.user) for m in north.members]
    for group in (north, south):
        await configure(group)
        show_facilitator_commands(group)
    return north, south


async def agree_then(
    actor: simcord.MemberActor, result: simcord.InteractionResult
) -> simcord.InteractionResult:
    if result.response is not None and "Before I save anything" in (result.response.content or ""):
        return await actor.click(result.response.message, label="I agree")
    return result


async def act(group: Group, actor: simcord.MemberActor, tag: str, mood: str) -> None:
    """What a member does in one server: a goal, a check-in, joining pairing."""
    channel = group.general
    await agree_then(actor, await actor.slash(channel, "goal set", text=f"{tag} goal for {actor.name}"))
    shown = await agree_then(actor, await actor.slash(channel, "checkin now"))
    assert shown.modal is not None
    await actor.submit_modal(shown, {"checkin:mood": mood, "checkin:share": False})
    await actor.slash(channel, "pair join", goal=f"{tag} pairing goal")


async def seen(group: Group, actor: simcord.MemberActor) -> dict[str, str]:
    channel = group.general
    out: dict[str, str] = {}
    for command in ("goal list", "checkin history", "toolkit", "pair status"):
        result = await actor.slash(channel, command)
        texts: list[Any] = [result.response, *result.followups] if result.response else list(result.followups)
        parts = []
        for message in texts:
            parts.append(message.content or "")
            parts.extend(f"{e.title or ''} {e.description or ''}" for e in message.embeds)
        out[command] = "\n".join(parts)
    return out


async def test_interleaved_actions_in_two_servers_never_cross(
    simcord_env: simcord.Env, simcord_bot: ResilienceBot, clock: FakeClock
) -> None:
    """Simcord runs one operation at a time, so here the two servers take turns person by person;
    the truly concurrent version runs against the loopback Discord below."""
    north, south = await two_groups(simcord_env, simcord_bot, clock)
    # Great days in the north, hard days in the south, the same people alternating servers.
    for in_north, in_south in zip(north.members, south.members, strict=True):
        await act(north, in_north, "NORTH", "5")
        await act(south, in_south, "SOUTH", "1")

    for in_north, in_south in zip(north.members, south.members, strict=True):
        assert in_north.id == in_south.id
        views = await seen(north, in_north)
        assert f"NORTH goal for {in_north.name}" in views["goal list"]
        assert "SOUTH" not in "\n".join(views.values()), views
        # One check-in per server: its words, not a chart (and only this server's mood).
        assert "One check-in so far: 😄 Great" in views["checkin history"], views["checkin history"]
        views = await seen(south, in_south)
        assert f"SOUTH goal for {in_south.name}" in views["goal list"]
        assert "NORTH" not in "\n".join(views.values()), views
        assert "One check-in so far: 😞 Very low" in views["checkin history"], views["checkin history"]
        # Nobody sees anyone else's goals either.
        others = [m.name for m in north.members if m.id != in_north.id]
        assert not any(f"goal for {name}" in views["goal list"] for name in others)

    # Stored rows are keyed by their own guild: one goal and one check-in per person per server.
    for guild in (north.guild, south.guild):
        rows = await simcord_bot.db.fetch_all(
            "SELECT user_id, count(*) AS n FROM community_goals WHERE guild_id = ? GROUP BY user_id",
            (guild.id,),
        )
        assert sorted(int(r["n"]) for r in rows) == [1] * PEOPLE


async def test_concurrent_commands_in_two_servers_never_cross(tmp_path: Path) -> None:
    """Real sockets, real concurrency: every person's commands in both servers arrive back to back."""
    async with LoopbackDiscord(global_limit=0) as fake:
        north = fake.add_guild(name="North", channels=["general"], members=PEOPLE, admins=1)
        south = fake.add_guild(name="South", channels=["general"], members=0, admins=1)
        people = north.regular_members
        south.members.extend(FakeMember(p.user, [], p.joined_at) for p in people)
        clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
        bot = create_bot(Settings(database_path=tmp_path / "bot.db"), clock=clock, guild_ready_timeout=0.05)
        async with running(bot):
            for guild in (north, south):
                version = (await bot.guilds_repo.get(guild.id)).agreement_version
                for person in people:
                    await bot.members.consent(guild.id, person.id, version, clock.now())
            payloads = []
            for round_ in range(3):
                for person in people:
                    for guild, tag in ((north, "NORTH"), (south, "SOUTH")):
                        text = f"{tag} goal {round_} of {person.user.name}"
                        payloads.append(fake.slash_payload(guild, person, "goal set", {"text": text}))
                        if round_ == 0:
                            payloads.append(
                                fake.slash_payload(guild, person, "pair join", {"goal": f"{tag} pairing"})
                            )
            ids = await fake.inject_interactions(payloads)
            await fake.wait_for_callbacks(ids, within=30)

            listings = []
            for person in people:
                for guild in (north, south):
                    listings.append((guild, person, fake.slash_payload(guild, person, "goal list")))
            ids = await fake.inject_interactions([p for _, _, p in listings])
            records = await fake.wait_for_callbacks(ids, within=30)
        for (guild, person, _), record in zip(listings, records, strict=True):
            assert record.callback is not None
            content = str(record.callback["data"].get("content") or "")
            mine, other = ("NORTH", "SOUTH") if guild is north else ("SOUTH", "NORTH")
            for round_ in range(3):
                assert f"{mine} goal {round_} of {person.user.name}" in content, content
            assert other not in content, content
            assert not any(p.user.name in content for p in people if p is not person), content
