"""The skill of the day is a Components V2 card: its buttons work after a restart, its count is
edited in place as V2, and an embed card an earlier release posted is upgraded in place on its
first count edit while its buttons keep working."""

from __future__ import annotations

from datetime import timedelta

import discord

from cogs.skills.card import skill_card
from tests.conftest import agree, restart
from tests.skills.conftest import cards, footer, post_day, posted_skill, schedule_skills
from tests.support.cards import button_ids, is_card


async def test_post_click_restart_click_again_edits_the_same_card(group):
    await schedule_skills(group)
    await post_day(group, 23)
    (card,) = cards(group)
    assert is_card(card)
    first, second = group.members[:2]
    await agree(first, await first.click(card, label="I practised this"))
    assert footer(cards(group)[0]) == "1 person practised this."

    await restart(group)
    group.clock.advance(timedelta(minutes=2))
    await agree(second, await second.click(card, label="I practised this"))
    (edited,) = cards(group)
    assert edited.id == card.id and is_card(edited)
    assert footer(edited) == "2 people practised this."
    assert button_ids(edited) == button_ids(card)


async def test_an_embed_card_from_before_the_upgrade_works_and_becomes_a_card(group):
    await schedule_skills(group)
    await post_day(group, 23)
    repo = group.bot.get_cog("Skills").repo
    post = await repo.latest_post(group.guild.id)
    skill = group.bot.content.skills[await posted_skill(group, cards(group)[0])]
    ids = [f"skill:{action}:{post.post_id}" for action in ("practised", "save", "other")]

    # Yesterday's release posted the card as an embed with a row of plain buttons.
    old_view = discord.ui.View(timeout=None)
    for custom_id in ids:
        old_view.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    embed = discord.Embed(title=f"Skill of the day: {skill.title}", description=skill.why)
    embed.set_footer(text="Be the first to practise this today.")
    channel = group.bot.get_channel(group.channels["skills"].id)
    await channel.send(embed=embed, view=old_view)
    old = group.channels["skills"].last_message
    assert old.embeds and not is_card(old)
    await group.bot.db.execute(
        "UPDATE skill_posts SET message_id = ? WHERE post_id = ?", (old.id, post.post_id)
    )

    await restart(group)
    member = group.member
    logged = await agree(member, await member.click(old, custom_id=ids[0]))
    assert "Logged" in logged.response.content
    upgraded = next(m for m in group.channels["skills"].history() if m.id == old.id)
    assert is_card(upgraded) and not upgraded.embeds and not upgraded.content
    assert footer(upgraded) == "1 person practised this."
    assert button_ids(upgraded) == ids
    saved = await member.click(upgraded, label="Save to my toolkit")
    assert "Saved" in saved.response.content


def test_the_card_texts_say_what_the_embed_said():
    from bot.core.content import load_content
    from bot.core.settings import Settings

    skill = load_content(Settings().content_path).skills["box-breathing"]
    texts = skill_card(skill, post_id=1, practised=2).texts()
    assert texts[0] == f"## {skill.title}\n*{skill.why}*"
    assert texts[-2] == f"**To reflect on**\n{skill.reflection}"
    assert texts[-1] == "2 people practised this."
