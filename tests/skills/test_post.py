from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.conftest import agree, restart
from tests.skills.conftest import card_title, cards, footer, heading, post_day, posted_skill, schedule_skills
from tests.support.cards import button_labels, is_card, visible_text


async def test_daily_post_shows_a_full_card_with_buttons(group):
    await schedule_skills(group)
    await post_day(group, 23)
    posted = cards(group)
    assert len(posted) == 1
    assert is_card(posted[0])
    text = visible_text(posted[0])
    skill = group.bot.content.skills[await posted_skill(group, posted[0])]
    assert heading(posted[0]) == f"Skill of the day: {skill.title}"
    assert skill.why in text
    assert f"**1.** {skill.steps[0]}" in text
    assert f"**To reflect on**\n{skill.reflection}" in text
    assert f"**Time:** {skill.minutes} minute" in text
    assert footer(posted[0]) == "Be the first to practise this today."
    assert button_labels(posted[0]) == ["I practised this", "Save to my toolkit", "Something else"]
    assert card_title(posted[0]) == skill.title


async def test_practised_asks_consent_first_then_logs_once_a_day(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    member = group.member
    asked = await member.click(card, label="I practised this")
    assert asked.ephemeral and "Before I save anything" in asked.response.content
    # Nothing about the member is stored before they agree.
    repo = group.bot.get_cog("Skills").repo
    assert await repo.member_rows(group.guild.id, member.id) == 0
    assert await group.bot.members.get(group.guild.id, member.id) is None

    agreed = await agree(member, asked)
    assert "Logged" in agreed.response.content
    assert await repo.member_rows(group.guild.id, member.id) == 1
    # The first practice edits the card at once.
    assert footer(cards(group)[0]).startswith("1 person practised this.")

    again = await member.click(card, label="I practised this")
    assert "already logged" in again.response.content
    assert await repo.member_rows(group.guild.id, member.id) == 1


async def test_not_now_stores_nothing(group):
    await schedule_skills(group)
    await post_day(group, 23)
    asked = await group.member.click(cards(group)[0], label="Save to my toolkit")
    declined = await group.member.click(asked.response.message, label="Not now")
    assert "Nothing about you was saved" in declined.response.content
    repo = group.bot.get_cog("Skills").repo
    assert await repo.member_rows(group.guild.id, group.member.id) == 0


async def test_count_is_edited_at_most_once_a_minute_then_flushed(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    first, second, third = group.members
    await agree(first, await first.click(card, label="I practised this"))
    assert footer(cards(group)[0]).startswith("1 person practised")

    # Two more within the same minute: logged, but the card waits.
    group.clock.advance(timedelta(seconds=20))
    await agree(second, await second.click(card, label="I practised this"))
    await agree(third, await third.click(card, label="I practised this"))
    assert footer(cards(group)[0]).startswith("1 person practised")

    # When the minute is up, the pending edit is flushed by a one-off schedule.
    group.clock.advance(timedelta(seconds=41))
    await group.bot.scheduler.run_due()
    assert footer(cards(group)[0]).startswith("3 people practised")


async def test_next_click_after_a_minute_flushes_too(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    first, second, third = group.members
    await agree(first, await first.click(card, label="I practised this"))
    group.clock.advance(timedelta(seconds=10))
    await agree(second, await second.click(card, label="I practised this"))
    assert footer(cards(group)[0]).startswith("1 person")
    group.clock.advance(timedelta(minutes=2))
    await agree(third, await third.click(card, label="I practised this"))
    assert footer(cards(group)[0]).startswith("3 people")


async def test_save_and_toolkit_show_counts_and_last_date(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    member = group.member
    saved = await agree(member, await member.click(card, label="Save to my toolkit"))
    assert "Saved" in saved.response.content
    again = await member.click(card, label="Save to my toolkit")
    assert "already in your toolkit" in again.response.content
    empty = await group.members[1].slash(group.general, "toolkit")
    assert "toolkit is empty" in empty.response.content

    kit = await member.slash(group.general, "toolkit")
    assert "not practised yet" in kit.response.embeds[0].description
    await member.click(card, label="I practised this")
    kit = await member.slash(group.general, "toolkit")
    text = kit.response.embeds[0].description
    stamp = int(group.clock.now().timestamp())
    assert card_title(card) in text
    assert f"practised once, last on <t:{stamp}:D>" in text


async def test_something_else_offers_another_of_the_same_kind(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    skills = group.bot.content.skills
    today = skills[await posted_skill(group, card)]
    other = await group.member.click(card, label="Something else")
    assert other.ephemeral
    assert "another" in visible_text(other.response) and is_card(other.response)
    alternative = next(s for s in skills.values() if s.title == card_title(other.response))
    assert alternative.kind == today.kind and alternative.id != today.id
    # Nothing is stored for a look at an alternative.
    assert await group.bot.members.get(group.guild.id, group.member.id) is None


async def test_buttons_keep_working_after_a_restart(group):
    await schedule_skills(group)
    await post_day(group, 23)
    await restart(group)
    card = cards(group)[0]
    member = group.member
    done = await agree(member, await member.click(card, label="I practised this"))
    assert "Logged" in done.response.content
    saved = await member.click(card, label="Save to my toolkit")
    assert "Saved" in saved.response.content
    other = await member.click(card, label="Something else")
    assert card_title(other.response)
    assert footer(cards(group)[0]).startswith("1 person")


async def test_reflection_thread_when_turned_on(group):
    await schedule_skills(group)
    turned = await group.facilitator.slash(group.general, "skill thread", setting="on")
    assert "thread" in turned.response.content
    await post_day(group, 23)
    threads = group.channels["skills"].threads
    assert len(threads) == 1
    assert threads[0].name == f"Reflections: {card_title(cards(group)[0])}"
    assert "share how" in threads[0].last_message.content


async def test_no_thread_by_default_and_no_post_without_a_time(group):
    await post_day(group, 23)
    assert cards(group) == []
    await schedule_skills(group)
    await post_day(group, 24)
    assert len(cards(group)) == 1
    assert group.channels["skills"].threads == []


async def test_practice_is_once_per_local_day_not_once_ever(group):
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    await agree(group.member, await group.member.click(card, label="I practised this"))
    group.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # the next day, before the next post
    again = await group.member.click(card, label="I practised this")
    assert "Logged" in again.response.content
    kit = await group.bot.get_cog("Skills").repo.practised_since(
        group.guild.id, group.member.id, date(2026, 11, 24)
    )
    assert kit == {await posted_skill(group, card)}
