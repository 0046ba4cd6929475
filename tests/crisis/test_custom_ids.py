"""Crisis DMs and alerts sent by an earlier release keep working: their custom ids never change."""

from __future__ import annotations

import discord

from cogs.crisis.views import AlertButton, FollowupButton, GroundingButton, RepliesButton
from tests.conftest import restart
from tests.crisis.conftest import SELF_CONCERN, FakeDetector, install


def test_the_crisis_buttons_keep_their_custom_ids():
    assert GroundingButton(None).custom_id == "crisis:ground:start"
    assert GroundingButton(3).custom_id == "crisis:ground:3"
    assert RepliesButton(False, 7).custom_id == "crisis:replies:off:7"
    assert RepliesButton(True, 7).custom_id == "crisis:replies:on:7"
    assert AlertButton("claim", 5).custom_id == "crisis:alert:claim:5"
    assert AlertButton("false", 5).custom_id == "crisis:alert:false:5"
    assert FollowupButton("ok", 9).custom_id == "crisis:followup:ok:9"
    assert FollowupButton("talk", 9).custom_id == "crisis:followup:talk:9"
    assert FollowupButton("lines", 9).custom_id == "crisis:followup:lines:9"


async def test_a_crisis_dm_sent_before_the_upgrade_still_works(group):
    member = group.member
    ids = ("crisis:ground:start", f"crisis:replies:off:{group.guild.id}")
    old = discord.ui.View(timeout=None)
    for custom_id in ids:
        old.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    await (await group.bot.fetch_user(member.id)).send("An older release's crisis DM", view=old)
    message = member.user.dm_channel.history()[0]
    await restart(group)

    grounding = await member.user.click(message, custom_id="crisis:ground:start")
    assert grounding.ephemeral and "5-4-3-2-1" in grounding.response.content
    off = await member.user.click(message, custom_id=f"crisis:replies:off:{group.guild.id}")
    assert "won't send you automatic messages" in off.response.content
    # Turned off for real: a crisis message now gets no DM.
    before = len(member.user.dm_channel.history())
    await member.send(group.general, "I want to die")
    assert len(member.user.dm_channel.history()) == before


async def test_a_follow_up_sent_before_the_upgrade_still_works(group):
    member = group.member
    install(group.bot, FakeDetector())
    await member.send(group.general, SELF_CONCERN)
    (event,) = await group.bot.db.fetch_all("SELECT event_id FROM crisis_events")
    event_id = event["event_id"]
    # the check-in went out (as an earlier release would have sent it) and the day's row settled
    await group.bot.db.execute(
        "UPDATE crisis_events SET followup_state = 'sent' WHERE event_id = ?", (event_id,)
    )
    old = discord.ui.View(timeout=None)
    for action in ("ok", "talk", "lines"):
        old.add_item(discord.ui.Button(label="old", custom_id=f"crisis:followup:{action}:{event_id}"))
    await (await group.bot.fetch_user(member.id)).send("An older release's check-in", view=old)
    message = member.user.dm_channel.history()[-1]
    await restart(group)

    lines = await member.user.click(message, custom_id=f"crisis:followup:lines:{event_id}")
    assert lines.ephemeral and "Samaritans" in lines.response.content
    ok = await member.user.click(message, custom_id=f"crisis:followup:ok:{event_id}")
    assert "Thank you for letting me know" in ok.response.message.content
    talk = await member.user.click(ok.response.message, custom_id=f"crisis:followup:talk:{event_id}")
    assert "facilitators know" in talk.response.message.content
    assert "Asked to talk" in group.channels["alerts"].last_message.content
    assert not group.env.errors
