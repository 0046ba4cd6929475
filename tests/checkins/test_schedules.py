"""Daily post, persistent button, reminders, pause, milestones, leaving: driven by the fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.checkins.conftest import check_in
from tests.conftest import agree, expected_errors
from tests.support.cards import is_card, visible_text


async def run_at(group, when):
    group.clock.set(when)
    return await group.bot.scheduler.run_due()


async def set_reminder(group, actor, time="20:30"):
    result = await actor.slash(group.general, "checkin remind", time=time)
    if "Before I save anything" in (result.response.content or ""):
        result = await agree(actor, result)
        return result.followups[-1] if result.followups else result.response
    return result.response


def dms(actor):
    return [m.content for m in actor.user.dm_channel.history()]


async def test_daily_post_button_opens_the_form_and_survives_restart(group):
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    await run_at(group, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    post = group.channels["checkins"].last_message
    assert "Daily check-in" in visible_text(post) and is_card(post)

    shown = await agree(group.member, await group.member.click(post, label="Check in"))
    assert shown.modal is not None
    await group.member.submit_modal(shown, {"checkin:mood": "3", "checkin:share": False})

    await group.env.restart_bot()
    # The next day, the old post's button still works for another member.
    group.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    other = group.members[1]
    shown = await agree(other, await other.click(post, label="Check in"))
    done = await other.submit_modal(shown, {"checkin:mood": "5", "checkin:share": True})
    assert "Saved your check-in for today" in done.response.content
    saved = await group.bot.db.fetch_one(
        "SELECT local_date FROM checkins WHERE guild_id = ? AND user_id = ?", (group.guild.id, other.id)
    )
    assert saved["local_date"] == "2026-11-24"


async def test_daily_post_follows_setup_time_and_timezone_changes(group):
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    await group.admin.slash(group.general, "setup timezone", zone="America/New_York")
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:post")
    assert schedule.rule.tz.key == "America/New_York"
    assert schedule.next_due == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
    report = await run_at(group, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert schedule.schedule_id not in [sid for sid, _ in report.sent]
    assert "Daily check-in" not in str([visible_text(m) for m in group.channels["checkins"].history()])


async def test_reminder_sent_with_buttons_when_not_checked_in(group):
    reply = await set_reminder(group, group.member, "8:30pm")
    assert "20:30" in reply.content
    await run_at(group, datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    reminder = group.member.user.dm_channel.last_message
    assert "haven't checked in today" in reminder.content
    # Never two in a day, even if the schedule is re-derived and fires again the same evening.
    group.clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    await group.bot.scheduler.set(
        group.guild.id,
        "checkin:remind",
        (await group.bot.scheduler.get(group.guild.id, "checkin:remind", str(group.member.id))).rule,
        key=str(group.member.id),
    )
    await run_at(group, datetime(2026, 11, 23, 20, 31, tzinfo=UTC))
    assert len(dms(group.member)) == 1

    # The Check in button in the DM opens the form for the group.
    shown = await group.member.user.click(reminder, label="Check in")
    done = await group.member.user.submit_modal(shown, {"checkin:mood": "4", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content


async def test_reminder_skipped_when_already_checked_in(group):
    await set_reminder(group, group.member)
    await check_in(group.member, group.general, mood="4")
    await run_at(group, datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    assert dms(group.member) == []
    await run_at(group, datetime(2026, 11, 24, 20, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 1  # the next day, not checked in: reminded


async def test_no_reminder_during_a_pause(group):
    await set_reminder(group, group.member)
    paused = await group.member.slash(group.general, "checkin pause", until="2026-11-25")
    assert "Paused until" in paused.response.content
    for day in (23, 24, 25):
        await run_at(group, datetime(2026, 11, day, 20, 30, tzinfo=UTC))
    assert dms(group.member) == []
    await run_at(group, datetime(2026, 11, 26, 20, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 1


async def test_snooze_once_then_stop(group):
    await set_reminder(group, group.member)
    await run_at(group, datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    reminder = group.member.user.dm_channel.last_message
    snoozed = await group.member.user.click(reminder, label="Snooze 1 hour")
    assert "Snoozed" in snoozed.response.content
    await run_at(group, datetime(2026, 11, 23, 21, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 2
    again = group.member.user.dm_channel.last_message
    assert "Snooze 1 hour" not in str(again.components)
    stopped = await group.member.user.click(again, label="Stop reminders")
    assert "Reminders are off" in stopped.response.content
    assert await group.bot.scheduler.get(group.guild.id, "checkin:remind", str(group.member.id)) is None
    await run_at(group, datetime(2026, 11, 24, 20, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 2


async def test_closed_dms_stop_reminders_and_member_is_told_once(group):
    await set_reminder(group, group.member)
    group.env.inject_error("POST", "/channels/*/messages", status=403, code=50007, times=None)
    await run_at(group, datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    member = await group.bot.members.get(group.guild.id, group.member.id)
    assert member.dm_closed
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:remind", str(group.member.id))
    assert schedule is None or not schedule.enabled
    assert await group.bot.scheduler.run_due(datetime(2026, 11, 24, 20, 30, tzinfo=UTC)) is not None
    assert member.dm_closed
    group.env.backend.faults.clear()

    first = await group.member.slash(group.general, "checkin pause", until="2026-11-30")
    assert "DMs from this server are closed" in first.response.content
    second = await group.member.slash(group.general, "checkin pause", until="2026-12-01")
    assert "DMs" not in second.response.content


async def test_leaving_the_server_removes_reminders(group):
    await set_reminder(group, group.member)
    group.guild.remove_member(group.member)
    await group.env.settle()
    assert await group.bot.scheduler.get(group.guild.id, "checkin:remind", str(group.member.id)) is None
    await run_at(group, datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    assert dms(group.member) == []


async def test_reminder_on_the_dst_change_day_fires_at_local_time(group):
    # 28 March 2027: London moves to BST; 20:30 local is 19:30 UTC.
    group.clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    await set_reminder(group, group.member)
    await run_at(group, datetime(2027, 3, 27, 20, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 1
    await run_at(group, datetime(2027, 3, 28, 19, 29, tzinfo=UTC))
    assert len(dms(group.member)) == 1  # not yet: 20:29 local
    await run_at(group, datetime(2027, 3, 28, 19, 30, tzinfo=UTC))
    assert len(dms(group.member)) == 2


async def test_bad_reminder_time_is_refused_with_examples(group):
    for bad in ("25:00", "noon-ish", " "):
        result = await group.member.slash(group.general, "checkin remind", time=bad)
        assert "`09:00` or `8:30pm`" in result.response.content
    assert len(expected_errors(group.env)) == 3
    assert await group.bot.members.get(group.guild.id, group.member.id) is None


async def test_milestone_private_then_public_when_opted_in(group):
    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    for offset in range(3):
        group.clock.set(start + timedelta(days=offset))
        result = await check_in(group.member, group.general, mood="4")
    assert "3 days of checking in" in result.response.content
    assert "🎉" not in (
        group.channels["wins"].last_message.content if group.channels["wins"].last_message else ""
    )

    other = group.members[1]
    await check_in(other, group.general, mood="4")  # consent
    await group.bot.members.set_choice(group.guild.id, other.id, "public_celebrations", True)
    await group.bot.db.execute("DELETE FROM checkins WHERE user_id = ?", (other.id,))
    for offset in range(3):
        group.clock.set(start + timedelta(days=offset))
        result = await check_in(other, group.general, mood="4")
    assert "I celebrated it in" in result.response.content
    assert "3 days" in group.channels["wins"].last_message.content
