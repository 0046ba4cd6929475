"""Cards posted by an earlier release keep working: their buttons' custom ids never change."""

from __future__ import annotations

import discord

from cogs.skills.views import OtherButton, PractisedButton, SaveButton
from tests.conftest import agree, restart
from tests.skills.conftest import cards, post_day, schedule_skills
from tests.support.cards import button_ids, visible_text


def test_the_card_buttons_keep_their_custom_ids():
    assert PractisedButton(42).custom_id == "skill:practised:42"
    assert SaveButton(42).custom_id == "skill:save:42"
    assert OtherButton(42).custom_id == "skill:other:42"


async def test_a_card_posted_before_the_upgrade_still_works(group):
    await schedule_skills(group)
    await post_day(group, 23)
    post = await group.bot.get_cog("Skills").repo.latest_post(group.guild.id)
    practised, save, other = (f"skill:{action}:{post.post_id}" for action in ("practised", "save", "other"))
    assert button_ids(cards(group)[0]) == [practised, save, other]

    # The card as an older release sent it: plain buttons carrying those ids, none of today's classes.
    old = discord.ui.View(timeout=None)
    for custom_id in (practised, save, other):
        old.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    await group.bot.get_channel(group.channels["skills"].id).send("Yesterday's card", view=old)
    # A new process: nothing but the registered persistent buttons knows these ids.
    await restart(group)
    message = group.channels["skills"].last_message
    member = group.member

    logged = await agree(member, await member.click(message, custom_id=practised))
    assert "Logged: you practised" in logged.response.content
    saved = await member.click(message, custom_id=save)
    assert "to your toolkit" in saved.response.content
    offered = await member.click(message, custom_id=other)
    assert offered.ephemeral and "another" in visible_text(offered.response)
