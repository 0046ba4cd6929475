"""Crisis DMs and alerts sent by an earlier release keep working: their custom ids never change."""

from __future__ import annotations

import discord

from cogs.crisis.views import AlertButton, GroundingButton, RepliesButton
from tests.conftest import restart


def test_the_crisis_buttons_keep_their_custom_ids():
    assert GroundingButton(None).custom_id == "crisis:ground:start"
    assert GroundingButton(3).custom_id == "crisis:ground:3"
    assert RepliesButton(False, 7).custom_id == "crisis:replies:off:7"
    assert RepliesButton(True, 7).custom_id == "crisis:replies:on:7"
    assert AlertButton("claim", 5).custom_id == "crisis:alert:claim:5"
    assert AlertButton("false", 5).custom_id == "crisis:alert:false:5"


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
