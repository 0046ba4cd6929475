"""The daily check-in post is a Components V2 card whose button works after restarts, and posts
from before the upgrade (plain content and a button) keep opening the same form."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from tests.conftest import agree, restart
from tests.support.cards import button_ids, card_texts, is_card


async def _post(group) -> discord.Message:  # type: ignore[no-untyped-def]
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    group.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    return group.channels["checkins"].last_message


async def test_the_post_is_a_card_with_the_button_beside_the_question(group) -> None:  # type: ignore[no-untyped-def]
    post = await _post(group)
    assert is_card(post) and post.flags.components_v2
    (container,) = post.components
    assert isinstance(container, discord.Container)
    section = container.children[0]
    assert isinstance(section, discord.SectionComponent)
    assert section.accessory.custom_id == f"checkin:open:{group.guild.id}"  # type: ignore[union-attr]
    assert card_texts(post)[:2] == ["## 🌤️ Daily check-in", "How are you, really? Take a breath and name it."]
    assert "private unless you choose to share" in card_texts(post)[2]


async def test_post_click_restart_click_again_and_an_old_post_after_the_upgrade(group) -> None:  # type: ignore[no-untyped-def]
    post = await _post(group)
    first, second, third = group.members
    shown = await agree(first, await first.click(post, label="Check in"))
    assert shown.modal is not None and shown.modal["title"] == "Daily check-in"
    await first.submit_modal(shown, {"checkin:mood": "3", "checkin:share": False})

    # A post as the release before the cards sent it: words as content, a plain button.
    old = discord.ui.View(timeout=None)
    old.add_item(discord.ui.Button(label="Check in", custom_id=f"checkin:open:{group.guild.id}"))
    channel = group.bot.get_channel(group.channels["checkins"].id)
    await channel.send("🌤️ **Daily check-in.** How are you, really?", view=old)
    old_post = group.channels["checkins"].last_message
    assert not is_card(old_post)

    await restart(group)
    again = await agree(second, await second.click(post, label="Check in"))
    assert again.modal is not None
    done = await second.submit_modal(again, {"checkin:mood": "4", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content
    from_old = await agree(third, await third.click(old_post, custom_id=f"checkin:open:{group.guild.id}"))
    assert from_old.modal is not None and from_old.modal["title"] == "Daily check-in"
    done = await third.submit_modal(from_old, {"checkin:mood": "5", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content
    assert button_ids(post) == [f"checkin:open:{group.guild.id}"]
