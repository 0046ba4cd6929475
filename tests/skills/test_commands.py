"""Member and facilitator commands, refusals and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from simcord.backend.errors import SetupError

from tests.conftest import agree, expected_errors
from tests.skills.conftest import card_title, cards, heading, post_day, schedule_skills
from tests.support.cards import button_labels, card_texts, visible_text

FACILITATOR_COMMANDS = [
    ("skill theme", {"theme": "sleep"}),
    ("skill queue", {"skill": "body-scan"}),
    ("skill skip", {}),
    ("skill disable", {"skill": "body-scan"}),
    ("skill enable", {"skill": "body-scan"}),
    ("skill schedule", {"time": "09:00"}),
    ("skill thread", {"setting": "on"}),
    ("skill add", {"category": "bonding", "kind": "action", "good_for": "stress"}),
]


@pytest.mark.parametrize(("name", "options"), FACILITATOR_COMMANDS)
async def test_plain_members_are_refused_kindly(group, name, options):
    # /skill mixes member and facilitator subcommands, so it is visible; the check enforces.
    assert name in group.member.available_commands(group.general)
    result = await group.member.slash(group.general, name, **options)
    assert result.ephemeral
    assert "for the group's facilitators" in result.response.content
    assert len(expected_errors(group.env)) == 1
    cog = group.bot.get_cog("Skills")
    settings = await cog.repo.group(group.guild.id, group.clock.now())
    assert settings.theme is None and settings.queue == () and not settings.thread_on
    assert await cog.repo.disabled(group.guild.id) == set()
    assert (await group.bot.guilds_repo.get(group.guild.id)).skill_time is None


async def test_schedule_sets_the_time_and_a_change_moves_the_post(group):
    await schedule_skills(group, "8:30pm")
    assert (await group.bot.guilds_repo.get(group.guild.id)).skill_time.strftime("%H:%M") == "20:30"
    await post_day(group, 23)  # 09:00: too early now
    assert cards(group) == []
    group.clock.set(datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert len(cards(group)) == 1
    # /setup time re-derives the schedule through the config listener.
    await group.admin.slash(group.general, "setup time", purpose="skill", time="07:15")
    group.clock.set(datetime(2026, 11, 24, 7, 15, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert len(cards(group)) == 2
    bad = await group.facilitator.slash(group.general, "skill schedule", time="25:00")
    assert "`09:00` or `8:30pm`" in bad.response.content
    assert len(expected_errors(group.env)) == 1


async def test_show_and_unknown_id_lists_three_closest_titles(group):
    shown = await group.member.slash(group.general, "skill show", skill="box-breathing")
    skill = group.bot.content.skills["box-breathing"]
    assert shown.ephemeral and card_title(shown.response) == skill.title
    unknown = await group.member.slash(group.general, "skill show", skill="box breathng")
    text = unknown.response.content
    assert unknown.ephemeral and "I don't know a skill called" in text
    assert skill.title in text
    assert text.split("Did you mean: ")[1].split("?")[0].count(",") == 2
    assert len(expected_errors(group.env)) == 1


async def test_show_autocompletes_by_title_and_tag(group):
    by_title = await group.member.autocomplete(group.general, "skill show", "skill", "box")
    assert by_title[0]["value"] == "box-breathing"
    by_tag = await group.member.autocomplete(group.general, "skill show", "skill", "sleep")
    skills = group.bot.content.skills
    assert by_tag and all("sleep" in skills[c["value"]].good_for for c in by_tag[:3])
    assert len(await group.member.autocomplete(group.general, "skill show", "skill", "")) == 25


async def test_find_by_words_and_tag(group):
    found = await group.member.slash(group.general, "skill find", words="breathing")
    assert found.ephemeral and "Box breathing" in found.response.content
    tagged = await group.member.slash(group.general, "skill find", words="grief")
    assert "`" in tagged.response.content
    nothing = await group.member.slash(group.general, "skill find", words="xylophone")
    assert "couldn't find a skill" in nothing.response.content
    assert len(expected_errors(group.env)) == 1


async def test_suggest_avoids_what_was_just_practised(group):
    first = await group.member.slash(group.general, "skill suggest", feeling="stressed and can't sleep")
    text = first.response.content
    assert first.ephemeral and text.startswith("For stress, sleep")
    vague = await group.member.slash(group.general, "skill suggest", feeling="hmm")
    assert "not sure I understood" in vague.response.content
    # Practise today's card, then ask again: it is not suggested while fresh alternatives exist.
    await schedule_skills(group)
    await post_day(group, 23)
    card = cards(group)[0]
    await agree(group.member, await group.member.click(card, label="I practised this"))
    practised = card_title(card)
    skill = next(s for s in group.bot.content.skills.values() if s.title == practised)
    feeling = " and ".join(t.value.replace("_", " ") for t in skill.good_for)
    again = await group.member.slash(group.general, "skill suggest", feeling=feeling)
    assert f"**{practised}**" not in again.response.content


async def test_today_before_and_after_the_post(group):
    none = await group.member.slash(group.general, "skill today")
    assert "No skill has been posted" in none.response.content
    await schedule_skills(group)
    await post_day(group, 23)
    today = await group.member.slash(group.general, "skill today")
    assert card_texts(today.response)[0] == "Today's skill:"
    assert heading(today.response) == heading(cards(group)[0])
    assert button_labels(today.response) == ["I practised this", "Save to my toolkit", "Something else"]
    group.clock.set(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    early = await group.member.slash(group.general, "skill today")
    assert "isn't out yet" in visible_text(early.response)


async def test_facilitator_writes_a_skill_in_a_modal(group):
    shown = await group.facilitator.slash(
        group.general,
        "skill add",
        category="bonding",
        kind="action",
        good_for="stress",
        also_good_for="loneliness",
    )
    assert shown.modal is not None
    done = await group.facilitator.submit_modal(
        shown,
        {
            "skill:add:title": "Walk and talk",
            "skill:add:why": "Moving side by side makes talking easier.",
            "skill:add:steps": "1. Ask someone to walk\n2. Walk for ten minutes\n3. Share one thing",
            "skill:add:minutes": "15",
            "skill:add:reflection": "What did you notice?",
        },
    )
    assert "Added **Walk and talk** (`walk-and-talk`)" in visible_text(done.response)
    found = await group.member.slash(group.general, "skill show", skill="walk-and-talk")
    assert card_title(found.response) == "Walk and talk"
    assert "**3.** Share one thing" in visible_text(found.response)
    listed = await group.member.slash(group.general, "skill find", words="walk")
    assert "Walk and talk" in listed.response.content


async def test_bad_skill_from_the_modal_is_rejected_with_a_clear_message(group):
    shown = await group.facilitator.slash(
        group.general, "skill add", category="bonding", kind="action", good_for="stress"
    )
    # The modal's own limit stops 3,000 characters of steps before it reaches the bot.
    with pytest.raises(SetupError, match="max_length"):
        await group.facilitator.submit_modal(
            shown,
            {
                "skill:add:title": "Too long",
                "skill:add:why": "Why",
                "skill:add:steps": "x" * 3000,
                "skill:add:minutes": "5",
                "skill:add:reflection": "Q?",
            },
        )
    shown = await group.facilitator.slash(
        group.general, "skill add", category="bonding", kind="action", good_for="stress"
    )
    bad = await group.facilitator.submit_modal(
        shown,
        {
            "skill:add:title": "Too few steps",
            "skill:add:why": "Why",
            "skill:add:steps": "Only one step\n" + "y" * 301,
            "skill:add:minutes": "90",
            "skill:add:reflection": "Q?",
        },
    )
    text = bad.response.content
    assert bad.ephemeral and "couldn't add that skill" in text and "Nothing was saved" in text
    assert "- Step 2: should have at most 300 characters" in text
    assert "- Minutes: should be a whole number from 1 to 60" in text
    assert len(expected_errors(group.env)) == 1
    cog = group.bot.get_cog("Skills")
    assert await cog.repo.custom_skills(group.guild.id) == []
