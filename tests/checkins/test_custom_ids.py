"""Check-in buttons sent by an earlier release keep working: their custom ids never change."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from cogs.checkins.views import CheckinButton, RecapStopButton, SnoozeButton, StopButton
from tests.checkins.conftest import check_in
from tests.conftest import agree, restart
from tests.support.cards import button_ids


def test_the_checkin_buttons_keep_their_custom_ids():
    assert CheckinButton(42).custom_id == "checkin:open:42"
    assert SnoozeButton(42).custom_id == "checkin:snooze:42"
    assert StopButton(42).custom_id == "checkin:stop:42"
    assert RecapStopButton(42).custom_id == "checkin:recapoff:42"


def ids(message: discord.Message) -> list[str]:
    return button_ids(message)


def old_view(*custom_ids: str) -> discord.ui.View:
    """Buttons as an older release sent them: plain buttons with those ids, none of today's classes."""
    view = discord.ui.View(timeout=None)
    for custom_id in custom_ids:
        view.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    return view


async def test_posts_and_dms_sent_before_the_upgrade_still_work(group):
    gid = group.guild.id
    member = group.member
    opened, snooze, stop, recapoff = (f"checkin:{a}:{gid}" for a in ("open", "snooze", "stop", "recapoff"))
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    await agree(member, await member.slash(group.general, "checkin remind", time="20:30"))
    await member.slash(group.general, "checkin recap", day="sunday")

    # Today's release sends exactly these ids: the daily post, a reminder DM, a recap DM.
    group.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert ids(group.channels["checkins"].last_message) == [opened]
    group.clock.set(datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert ids(member.user.dm_channel.last_message) == [opened, snooze, stop]
    await check_in(member, group.general, mood="3")
    group.clock.set(datetime(2026, 11, 29, 18, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    await group.bot.outbox.drain()
    (recap,) = [m for m in member.user.dm_channel.history() if "Your week" in m.content]
    assert ids(recap) == [recapoff]

    # The same ids on messages an older release sent, then a new process: only the registered
    # persistent buttons know them.
    await group.bot.get_channel(group.channels["checkins"].id).send("Daily check-in", view=old_view(opened))
    dm = await group.bot.create_dm(discord.Object(member.id))  # no user cache (lean_member_cache)
    await dm.send("A reminder", view=old_view(opened, snooze, stop))
    reminder = member.user.dm_channel.last_message
    await dm.send("Another reminder", view=old_view(stop))
    other_reminder = member.user.dm_channel.last_message
    await dm.send("Your week", view=old_view(recapoff))
    old_recap = member.user.dm_channel.last_message
    await restart(group)
    group.clock.set(datetime(2026, 11, 30, 20, 30, tzinfo=UTC))

    shown = await member.click(group.channels["checkins"].last_message, custom_id=opened)
    assert shown.modal is not None
    done = await member.submit_modal(shown, {"checkin:mood": "4", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content
    shown = await member.user.click(reminder, custom_id=opened)
    assert shown.modal is not None
    snoozed = await member.user.click(reminder, custom_id=snooze)
    assert "Snoozed" in snoozed.response.content
    stopped = await member.user.click(other_reminder, custom_id=stop)
    assert "Reminders are off" in stopped.response.content
    assert await group.bot.scheduler.get(gid, "checkin:remind", str(member.id)) is None
    recap_off = await member.user.click(old_recap, custom_id=recapoff)
    assert "Weekly recap is off" in recap_off.response.content
    assert await group.bot.scheduler.get(gid, "checkin:recap", str(member.id)) is None
