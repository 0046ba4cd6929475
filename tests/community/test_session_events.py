"""Sessions as Discord scheduled events (issue 18, item 2), through simcord: the next two
sessions are events, kept in step with /session set, skip and cover, across restarts; Interested
on an event counts as Going."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from tests.community.conftest import at, london, restart
from tests.community.test_sessions import reminders, set_tuesday_session
from tests.conftest import agree
from tests.support.cards import button_labels, visible_text

EVENTS_LOG = "cogs.community.events"


def events(group, status=discord.EventStatus.scheduled) -> list[discord.ScheduledEvent]:  # type: ignore[no-untyped-def]
    """The server's events as the bot's discord.py cache sees them, soonest first."""
    guild = group.bot.get_guild(group.guild.id)
    found = [e for e in guild.scheduled_events if status is None or e.status is status]
    return sorted(found, key=lambda e: e.start_time)


def event_lines(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.getMessage() for r in caplog.records if r.name == EVENTS_LOG]


async def rsvps(group, day: str = "2026-11-24") -> str:  # type: ignore[no-untyped-def]
    result = await group.facilitator.slash(group.general, "session rsvps", date=day)
    return str(result.response.content)


async def set_bot_event_permission(group, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    """What a server admin does to the bot's role in Server Settings → Roles."""
    backend = group.env.backend
    guild = backend.get_guild(group.guild.id)
    role = next(r for r in guild.roles.values() if r.managed)
    permissions = discord.Permissions(role.permissions)
    permissions.manage_events = permissions.create_events = allowed
    backend.edit_role(group.guild.id, role.id, {"permissions": permissions.value})
    await group.env.settle()


async def test_session_set_makes_the_next_two_sessions_events_and_reminders_link_them(group):
    await set_tuesday_session(group)
    first, second = events(group)
    assert [first.start_time, second.start_time] == [
        london(2026, 11, 24, 18, 30),
        london(2026, 12, 1, 18, 30),
    ]
    for event in (first, second):
        assert event.name == "Group session" and event.location == "Room 4"
        assert event.entity_type is discord.EntityType.external
        assert event.end_time == event.start_time + timedelta(minutes=90)
        assert "Marking Interested lets the facilitators know" in (event.description or "")

    await group.facilitator.slash(group.general, "session cover", text="Noticing the inner critic.")
    assert all("Noticing the inner critic." in (e.description or "") for e in events(group))
    assert [e.id for e in events(group)] == [first.id, second.id]  # edited, not made again

    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert first.url in visible_text(card) and "Interested counts as going" in visible_text(card)
    assert button_labels(card) == ["Going", "Can't make it"]


async def test_events_are_made_once_across_restarts_and_the_one_after_next_follows(group):
    await set_tuesday_session(group)
    ids = [e.id for e in events(group)]
    await restart(group)
    await group.facilitator.slash(
        group.general, "session set", weekday="tuesday", time="18:30", where="Room 4"
    )
    await restart(group)
    assert [e.id for e in events(group)] == ids
    assert len(group.env.backend.get_guild(group.guild.id).scheduled_events) == 2

    # The session starts: the one after next gets its event then.
    await at(group, london(2026, 11, 24, 18, 30))
    upcoming = [e for e in events(group) if e.start_time > london(2026, 11, 24, 18, 30)]
    assert [e.start_time for e in upcoming] == [london(2026, 12, 1, 18, 30), london(2026, 12, 8, 18, 30)]
    assert upcoming[0].id == ids[1]

    # Down over a whole session (past the catch-up grace): start-up makes the missing one.
    group.clock.set(london(2026, 12, 2, 9, 0))
    await restart(group)
    later = [e.start_time for e in events(group) if e.start_time > london(2026, 12, 2)]
    assert later == [london(2026, 12, 8, 18, 30), london(2026, 12, 15, 18, 30)]
    assert len(group.env.backend.get_guild(group.guild.id).scheduled_events) == 4


async def test_skip_cancels_the_event_and_the_next_session_gets_one(group):
    await set_tuesday_session(group)
    first, second = events(group)
    done = await group.facilitator.slash(group.general, "session skip", date="2026-12-01")
    assert "skipped" in done.response.content
    (cancelled,) = events(group, discord.EventStatus.cancelled)
    assert cancelled.id == second.id
    assert [e.start_time for e in events(group)] == [
        london(2026, 11, 24, 18, 30),
        london(2026, 12, 8, 18, 30),
    ]
    assert events(group)[0].id == first.id
    await group.facilitator.slash(group.general, "session skip", date="2026-12-01")
    assert len(group.env.backend.get_guild(group.guild.id).scheduled_events) == 3


async def test_a_new_day_and_time_edit_the_same_events(group):
    await set_tuesday_session(group)
    ids = [e.id for e in events(group)]
    await group.members[0].subscribe_event(ids[0])
    await group.facilitator.slash(
        group.general, "session set", weekday="wednesday", time="19:00", where="Room 5"
    )
    moved = events(group)
    assert [e.id for e in moved] == ids
    assert [e.start_time for e in moved] == [london(2026, 11, 25, 19, 0), london(2026, 12, 2, 19, 0)]
    assert {e.location for e in moved} == {"Room 5"}
    assert "1 going, 0 can't make it" in await rsvps(group, "2026-11-25")


async def test_a_session_in_a_voice_channel_is_a_voice_event(group):
    room = group.guild.create_voice_channel("Session room")
    await group.facilitator.slash(
        group.general, "session set", weekday="tue", time="18:30", where="Session room"
    )
    assert {(e.entity_type, e.channel_id) for e in events(group)} == {(discord.EntityType.voice, room.id)}


async def test_interested_on_the_event_counts_as_going_once_per_person(group):
    fac, general = group.facilitator, group.general
    await set_tuesday_session(group)
    event = events(group)[0]
    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(general)
    one, two, three = group.members
    await one.subscribe_event(event.id)  # only on the event
    await agree(two, await two.click(card, label="Going"))
    await two.subscribe_event(event.id)  # both: counted once
    await agree(three, await three.click(card, label="Can't make it"))
    await three.subscribe_event(event.id)  # the button's "can't" is the clearer answer
    shown = await rsvps(group)
    assert "2 going, 1 can't make it (Going incl. Interested on the event)" in shown

    # Kept current from the gateway, and read again from Discord after a restart.
    await fac.subscribe_event(event.id)
    assert "3 going, 1 can't make it" in await rsvps(group)
    await one.unsubscribe_event(event.id)
    assert "2 going, 1 can't make it" in await rsvps(group)
    await restart(group)
    assert "2 going, 1 can't make it" in await rsvps(group)

    await at(group, london(2026, 11, 24, 15, 30))
    digest = visible_text(group.channels["alerts"].history()[-1])
    assert "- RSVPs: 2 going, 1 can't make it (Going incl. Interested on the event)" in digest


async def test_a_deleted_event_is_made_again_with_one_log_line(group, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS_LOG)
    await set_tuesday_session(group)
    first, second = events(group)
    group.env.backend.delete_scheduled_event(group.guild.id, first.id)
    await group.env.settle()
    again = events(group)
    assert [e.start_time for e in again] == [first.start_time, second.start_time]
    assert again[0].id != first.id and again[1].id == second.id
    assert event_lines(caplog) == [
        f"session event for 2026-11-24 in guild {group.guild.id} was gone; made it again"
    ]
    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert again[0].url in visible_text(card) and first.url not in visible_text(card)


async def test_without_the_events_permission_the_buttons_carry_on_and_setup_show_says_so(group, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS_LOG)
    await set_bot_event_permission(group, False)
    await set_tuesday_session(group)
    await group.facilitator.slash(group.general, "session cover", text="Boundaries.")
    await group.facilitator.slash(group.general, "session skip", date="2026-12-08")
    assert list(group.bot.get_guild(group.guild.id).scheduled_events) == []
    assert len(event_lines(caplog)) == 1 and "using the reminder buttons" in event_lines(caplog)[0]

    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert "discord.com/events" not in visible_text(card)
    going = await agree(group.members[0], await group.members[0].click(card, label="Going"))
    assert "See you there" in going.response.content
    assert (await rsvps(group)).startswith("Session on Tuesday 24 November: 1 going, 0 can't make it.")

    shown = visible_text((await group.admin.slash(group.general, "setup show")).response)
    assert shown.count("**Session events:**") == 1 and "Create Events" in shown

    # Given the permission, the events appear at once and the note goes.
    await set_bot_event_permission(group, True)
    assert [e.start_time for e in events(group)] == [
        london(2026, 11, 24, 18, 30),
        london(2026, 12, 1, 18, 30),
    ]
    shown = visible_text((await group.admin.slash(group.general, "setup show")).response)
    assert "Session events" not in shown


async def test_a_deleted_event_without_the_permission_falls_back_with_one_log_line(group, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS_LOG)
    await set_tuesday_session(group)
    first, _second = events(group)
    await set_bot_event_permission(group, False)
    group.env.backend.delete_scheduled_event(group.guild.id, first.id)
    await group.env.settle()
    await group.facilitator.slash(group.general, "session cover", text="Boundaries.")
    assert len(event_lines(caplog)) == 1 and "using the reminder buttons" in event_lines(caplog)[0]
    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert "discord.com/events" not in visible_text(card)
    assert button_labels(card) == ["Going", "Can't make it"]
    assert "Session events" in visible_text((await group.admin.slash(group.general, "setup show")).response)


async def test_discord_failing_to_make_an_event_never_fails_the_command(group, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS_LOG)
    group.env.inject_error("POST", "/guilds/*/scheduled-events", status=500, times=None)
    await set_tuesday_session(group)  # confirmed as usual
    assert events(group) == []
    assert event_lines(caplog) == [f"session events in guild {group.guild.id} not updated: HTTP 500"]
    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert "discord.com/events" not in visible_text(card)
