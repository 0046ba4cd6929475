"""The daily skill card goes out through the outbox: once, retried through an outage, counts still edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Group, agree
from tests.skills.conftest import cards, footer, post_day, schedule_skills


async def test_the_card_and_its_thread_intro_are_outbox_rows(group: Group) -> None:
    await schedule_skills(group)
    await group.facilitator.slash(group.general, "skill thread", setting="on")
    await post_day(group, 23)
    (card,) = cards(group)
    rows = {r.kind: r for r in await group.bot.outbox.repo.all()}
    assert rows["skill:post"].status == "sent" and rows["skill:post"].message_id == card.id
    assert rows["skill:thread"].status == "sent"
    thread = group.channels["skills"].threads[0]
    assert rows["skill:thread"].channel_id == thread.id


async def test_a_handler_run_twice_posts_one_card(group: Group) -> None:
    await schedule_skills(group)
    await post_day(group, 23)
    cog = group.bot.get_cog("Skills")
    schedule = await group.bot.scheduler.get(group.guild.id, "skill:post")
    assert cog is not None and schedule is not None
    occurrence = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    await cog._on_post_due(schedule, occurrence)  # type: ignore[attr-defined]
    await group.bot.outbox.drain()
    assert len(cards(group)) == 1
    assert len(await group.bot.db.fetch_all("SELECT * FROM skill_posts")) == 1


async def test_an_outage_delays_the_card_and_the_count_still_updates(group: Group) -> None:
    await schedule_skills(group)
    group.env.inject_error("POST", f"/channels/{group.channels['skills'].id}/messages", status=503, times=2)
    await post_day(group, 23)
    assert cards(group) == []
    for _ in range(3):
        group.clock.advance(timedelta(minutes=1))
        await group.bot.outbox.drain()
    (card,) = cards(group)
    await agree(group.member, await group.member.click(card, label="I practised this"))
    # the at-most-once-a-minute edit may wait: flush it
    group.clock.advance(timedelta(minutes=2))
    await group.bot.scheduler.run_due()
    assert footer(cards(group)[0]).startswith("1 person")
