"""The weekly recap DM: ``/checkin recap day:``, sent through the outbox on the member's weekday."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.skills.store import SkillRepository
from tests.checkins.conftest import check_in
from tests.conftest import agree

# The fixture clock starts on Monday 2026-11-23, 07:00 UTC; the group's zone is Europe/London.
NOTE = "my sister called and it was hard"


async def run_at(group, when):
    group.clock.set(when)
    report = await group.bot.scheduler.run_due()
    await group.bot.outbox.drain()
    return report


async def set_recap(group, actor, day="sunday"):
    result = await actor.slash(group.general, "checkin recap", day=day)
    if "Before I save anything" in (result.response.content or ""):
        result = await agree(actor, result)
        return result.followups[-1] if result.followups else result.response
    return result.response


def dms(actor):
    channel = actor.user.dm_channel
    return [m.content for m in channel.history()] if channel is not None else []


def recaps(actor):
    return [c for c in dms(actor) if "Your week" in c]


async def check_in_on(group, actor, when, **values):
    group.clock.set(when)
    return await check_in(actor, group.general, **values)


async def a_week_of_checkins(group, actor):
    """Mon, Wed, Sat of the week Mon 23 – Sun 29 Nov 2026, with notes, feelings and a skill."""
    await check_in_on(
        group, actor, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), mood="2", emotions=["sad", "calm"], note=NOTE
    )
    await check_in_on(group, actor, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), mood="4", emotions=["calm"])
    await check_in_on(
        group, actor, datetime(2026, 11, 28, 9, 0, tzinfo=UTC), mood="5", emotions=["calm"], note="secret"
    )
    skills = SkillRepository(group.bot.db)
    now = group.clock.now()
    for day in (24, 26):
        await skills.log_practice(
            group.guild.id, actor.id, "active-listening", date(2026, 11, day), None, now
        )
    await skills.log_practice(
        group.guild.id, actor.id, "reach-out-to-one-person", date(2026, 11, 27), None, now
    )
    # Practised the week before: not in this week's recap.
    await skills.log_practice(
        group.guild.id, actor.id, "repair-after-conflict", date(2026, 11, 20), None, now
    )


async def test_recap_sent_on_the_chosen_day_with_the_week_and_never_the_notes(group):
    reply = await set_recap(group, group.member, "sunday")
    assert "Every **Sunday** at 18:00 (Europe/London)" in reply.content
    await a_week_of_checkins(group, group.member)

    await run_at(group, datetime(2026, 11, 28, 18, 0, tzinfo=UTC))  # Saturday: not the day
    await run_at(group, datetime(2026, 11, 29, 17, 59, tzinfo=UTC))  # Sunday, a minute early
    assert recaps(group.member) == []
    await run_at(group, datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    (recap,) = recaps(group.member)
    assert "Mon 23 Nov to Sun 29 Nov" in recap
    assert "Mon 23: 🙁 Low" in recap
    assert "Wed 25: 🙂 Good" in recap
    assert "Sat 28: 😄 Great" in recap
    assert "Tue 24" not in recap
    assert "Average mood **3.7**" in recap and "3 of 7 days" in recap
    assert "Calm (3), Sad (1)" in recap
    assert "Listen to understand (2×), Reach out to one person." in recap
    assert "Make a repair" not in recap
    assert "Streak: **" in recap
    assert NOTE not in recap and "secret" not in recap and "sister" not in recap
    # Only one a week, even if the occurrence were run again.
    await run_at(group, datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
    assert len(recaps(group.member)) == 1

    # The Stop button in the DM turns it off.
    message = group.member.user.dm_channel.last_message
    stopped = await group.member.user.click(message, label="Stop weekly recap")
    assert "Weekly recap is off" in stopped.response.content
    assert await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(group.member.id)) is None
    await check_in_on(group, group.member, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), mood="3")
    await run_at(group, datetime(2026, 12, 6, 18, 0, tzinfo=UTC))
    assert len(recaps(group.member)) == 1


async def test_the_recap_asks_only_what_the_cog_was_handed_for_practised_skills(group):
    asked = []

    async def practice_counts(guild_id, user_id, first, last):
        asked.append((guild_id, user_id, first, last))
        return [("box-breathing", 2), ("my-groups-own_walk", 1)]

    group.bot.get_cog("Checkins").practice_counts = practice_counts
    await set_recap(group, group.member, "sunday")
    await check_in_on(group, group.member, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), mood="3")
    await run_at(group, datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    (recap,) = recaps(group.member)
    assert asked == [(group.guild.id, group.member.id, date(2026, 11, 23), date(2026, 11, 29))]
    # A shipped skill by its title; one the library does not know (a group's own) by a readable name.
    title = group.bot.content.skills["box-breathing"].title
    assert f"{title} (2×), My groups own walk." in recap


async def test_no_recap_when_off_or_for_a_week_without_checkins(group):
    await set_recap(group, group.member, "wednesday")
    await run_at(group, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # nothing checked in yet
    assert dms(group.member) == []

    await check_in_on(group, group.member, datetime(2026, 11, 26, 9, 0, tzinfo=UTC), mood="3")
    off = await set_recap(group, group.member, "off")
    assert "Weekly recap is off" in off.content
    assert await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(group.member.id)) is None
    await run_at(group, datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    assert dms(group.member) == []


async def test_recap_across_the_london_clock_change(group):
    # Sunday 28 March 2027: London moves to BST at 01:00 UTC; 18:00 local is 17:00 UTC.
    group.clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    await set_recap(group, group.member, "sunday")
    # Saturday 23:30 local (GMT) and Sunday 00:30 local (still GMT, before the change) are two days.
    await check_in_on(group, group.member, datetime(2027, 3, 27, 23, 30, tzinfo=UTC), mood="2")
    await check_in_on(group, group.member, datetime(2027, 3, 28, 0, 30, tzinfo=UTC), mood="4")
    await run_at(group, datetime(2027, 3, 28, 16, 59, tzinfo=UTC))  # 17:59 BST
    assert recaps(group.member) == []
    await run_at(group, datetime(2027, 3, 28, 17, 0, tzinfo=UTC))  # 18:00 BST
    (recap,) = recaps(group.member)
    assert "Mon 22 Mar to Sun 28 Mar" in recap
    assert "Sat 27: 🙁 Low" in recap and "Sun 28: 🙂 Good" in recap
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(group.member.id))
    assert schedule.next_due == datetime(2027, 4, 4, 17, 0, tzinfo=UTC)


async def test_recap_follows_the_members_own_timezone(group):
    await set_recap(group, group.member, "friday")
    changed = await group.member.slash(group.general, "timezone", zone="America/New_York")
    assert "America/New_York" in changed.response.content
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(group.member.id))
    assert schedule.rule.tz.key == "America/New_York"
    # 21:00 on Thursday in New York is already Friday in London: it is Thursday's check-in.
    await check_in_on(group, group.member, datetime(2026, 11, 27, 2, 0, tzinfo=UTC), mood="5")
    await run_at(group, datetime(2026, 11, 27, 18, 0, tzinfo=UTC))  # 13:00 in New York
    assert recaps(group.member) == []
    await run_at(group, datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # 18:00 in New York
    (recap,) = recaps(group.member)
    assert "Sat 21 Nov to Fri 27 Nov" in recap
    assert "Thu 26: 😄 Great" in recap


async def test_closed_dms_stop_the_recap_and_the_member_is_told_once(group):
    await set_recap(group, group.member, "sunday")
    await check_in_on(group, group.member, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), mood="3")
    group.env.inject_error("POST", "/channels/*/messages", status=403, code=50007, times=None)
    await run_at(group, datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    member = await group.bot.members.get(group.guild.id, group.member.id)
    assert member.dm_closed
    row = await group.bot.db.fetch_one(
        "SELECT 1 AS found FROM checkin_recaps WHERE guild_id = ? AND user_id = ?",
        (group.guild.id, group.member.id),
    )
    assert row is None
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(group.member.id))
    assert schedule is None or not schedule.enabled
    group.env.backend.faults.clear()
    told = await check_in_on(group, group.member, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), mood="3")
    assert "DMs from this server are closed" in told.response.content
    queued = await group.bot.db.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'checkin:recap'")
    await run_at(group, datetime(2026, 12, 6, 18, 0, tzinfo=UTC))
    again = await group.bot.db.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'checkin:recap'")
    assert again["n"] == queued["n"] == 1  # nothing new was even queued
    assert recaps(group.member) == []
    later = await group.member.slash(group.general, "checkin pause", until="2026-12-31")
    assert "DMs" not in later.response.content  # told once only


async def test_leaving_or_deleting_my_data_removes_the_recap(group):
    for actor in group.members[:2]:
        await set_recap(group, actor, "sunday")
        await check_in_on(group, actor, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), mood="3")
    leaver, deleter = group.members[0], group.members[1]

    group.guild.remove_member(leaver)
    await group.env.settle()
    assert await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(leaver.id)) is None

    shown = await deleter.slash(group.general, "mydata delete")
    await deleter.click(shown.response.message, label="Delete my data in this group")
    assert await group.bot.scheduler.get(group.guild.id, "checkin:recap", str(deleter.id)) is None
    row = await group.bot.db.fetch_one(
        "SELECT COUNT(*) AS n FROM checkin_recaps WHERE guild_id = ?", (group.guild.id,)
    )
    assert row["n"] == 0

    await run_at(group, datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    assert recaps(leaver) == [] and recaps(deleter) == []
