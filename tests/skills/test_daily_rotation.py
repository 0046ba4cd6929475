"""Rotation through the scheduler: no repeats within a cycle, themes and the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.skills.logic import simulate
from tests.conftest import expected_errors
from tests.skills.conftest import card_title, cards, posted_skill, schedule_skills
from tests.support.cards import visible_text


async def _id(group, message) -> str:
    return await posted_skill(group, message)


async def _run_days(group, days: int, start: datetime) -> None:
    for n in range(days):
        group.clock.set(start + timedelta(days=n))
        await group.bot.scheduler.run_due()


async def test_45_days_without_a_repeat_in_a_cycle_and_deterministic(group):
    await schedule_skills(group)
    await _run_days(group, 45, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    posted = [await _id(group, m) for m in cards(group)]
    assert len(posted) == 45
    enabled = set(group.bot.content.skills)
    assert len(enabled) >= 45  # one cycle covers all 45 days: no repeats at all
    assert len(set(posted)) == 45
    # Deterministic under the group's seed: the same order the pure rotation gives.
    expected = [pick.skill_id for pick in simulate(enabled, group.guild.id, 45)]
    assert posted == expected


async def test_a_new_cycle_starts_only_when_every_enabled_skill_was_posted(group):
    await schedule_skills(group)
    cog = group.bot.get_cog("Skills")
    keep = sorted(group.bot.content.skills)[:5]
    for skill_id in sorted(group.bot.content.skills)[5:]:
        await cog.repo.set_disabled(group.guild.id, skill_id, True)
    await _run_days(group, 12, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    posted = [await _id(group, m) for m in cards(group)]
    assert len(posted) == 12
    assert sorted(posted[:5]) == keep
    assert sorted(posted[5:10]) == keep
    assert set(posted[10:]) <= set(keep) and len(set(posted[10:])) == 2


async def test_theme_focuses_posts_and_refuses_unknown_or_empty_themes(group):
    await schedule_skills(group)
    refused = await group.facilitator.slash(group.general, "skill theme", theme="wizardry")
    assert "isn't a theme I know" in refused.response.content
    assert "boundaries" in refused.response.content and "sleep" in refused.response.content
    # Switch off every sleep skill: the theme then has nothing to post.
    cog = group.bot.get_cog("Skills")
    for skill in group.bot.content.skills.values():
        if "sleep" in skill.good_for:
            await cog.repo.set_disabled(group.guild.id, skill.id, True)
    empty = await group.facilitator.slash(group.general, "skill theme", theme="sleep")
    assert "No enabled skill fits `sleep`" in empty.response.content
    assert len(expected_errors(group.env)) == 2

    done = await group.facilitator.slash(group.general, "skill theme", theme="Boundaries", weeks=1)
    assert "focus on **boundaries**" in done.response.content
    await _run_days(group, 7, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    skills = group.bot.content.skills
    assert all(
        skills[skill_id].category == "boundaries" for skill_id in [await _id(group, m) for m in cards(group)]
    )
    # The theme ends after its week; the usual mix returns (the next post is not forced).
    settings = await cog.repo.group(group.guild.id, group.clock.now())
    assert settings.active_theme(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) is None


async def test_queue_pins_the_next_days_in_order(group):
    await schedule_skills(group)
    first = await group.facilitator.slash(group.general, "skill queue", skill="body-scan")
    assert "is next" in first.response.content
    second = await group.facilitator.slash(group.general, "skill queue", skill="box-breathing")
    assert "number 2" in second.response.content
    await _run_days(group, 3, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    posted = [await _id(group, m) for m in cards(group)]
    assert posted[:2] == ["body-scan", "box-breathing"]
    assert posted[2] not in posted[:2]


async def test_skip_posts_the_next_one_now(group):
    await schedule_skills(group)
    early = await group.facilitator.slash(group.general, "skill skip")
    assert "Nothing to skip yet" in early.response.content
    assert len(expected_errors(group.env)) == 1
    await _run_days(group, 1, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    today = cards(group)[0]
    skipped = await group.facilitator.slash(group.general, "skill skip")
    now_posted = cards(group)
    assert len(now_posted) == 2
    assert f"posted **{card_title(now_posted[1])}** instead" in skipped.response.content
    assert await _id(group, now_posted[1]) != await _id(group, today)
    shown = await group.member.slash(group.general, "skill today")
    assert card_title(shown.response) == card_title(now_posted[1])


async def test_disable_and_enable(group):
    off = await group.facilitator.slash(group.general, "skill disable", skill="body-scan")
    assert "switched off" in off.response.content
    cog = group.bot.get_cog("Skills")
    assert "body-scan" not in await cog.enabled(group.guild.id)
    queued = await group.facilitator.slash(group.general, "skill queue", skill="body-scan")
    assert "/skill enable body-scan" in queued.response.content
    on = await group.facilitator.slash(group.general, "skill enable", skill="body-scan")
    assert "switched on again" in on.response.content
    assert "body-scan" in await cog.enabled(group.guild.id)
    assert len(expected_errors(group.env)) == 1


async def test_running_the_scheduler_twice_posts_once(group):
    await schedule_skills(group)
    group.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    group.clock.set(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert len(cards(group)) == 1


async def test_theme_off_returns_to_the_usual_mix(group):
    await group.facilitator.slash(group.general, "skill theme", theme="sleep", weeks=2)
    cog = group.bot.get_cog("Skills")
    assert (await cog.repo.group(group.guild.id, group.clock.now())).theme == "sleep"
    off = await group.facilitator.slash(group.general, "skill theme", theme="off")
    assert "no theme" in off.response.content
    assert (await cog.repo.group(group.guild.id, group.clock.now())).theme is None
    choices = await group.facilitator.autocomplete(group.general, "skill theme", "theme", "bound")
    assert [c["value"] for c in choices] == ["boundaries"]


async def test_a_group_written_skill_joins_the_rotation(group):
    await schedule_skills(group)
    shown = await group.facilitator.slash(
        group.general, "skill add", category="bonding", kind="action", good_for="stress"
    )
    await group.facilitator.submit_modal(
        shown,
        {
            "skill:add:title": "Box breathing",  # same title as a shipped skill: gets its own id
            "skill:add:why": "Our group's version.",
            "skill:add:steps": "Breathe in\nHold\nBreathe out",
            "skill:add:minutes": "3",
            "skill:add:reflection": "How was it?",
        },
    )
    queued = await group.facilitator.slash(group.general, "skill queue", skill="box-breathing-2")
    assert "is next" in queued.response.content
    await _run_days(group, 1, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    card = cards(group)[0]
    assert await _id(group, card) == "box-breathing-2"
    assert "Our group's version." in visible_text(card)
