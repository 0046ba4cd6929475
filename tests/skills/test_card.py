"""The card embed: every shipped skill and the longest possible skill fit Discord's limits."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.core.content import Skill
from bot.core.content.models import REFLECTION_MAX, STEP_MAX, STEPS_MAX, TITLE_MAX, WHY_MAX
from bot.skills.card import practised_line, skill_line
from cogs.skills.card import skill_embed


def _fits(embed) -> None:
    assert len(embed.title) <= 256
    assert len(embed.description) <= 4096
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed) <= 6000


def test_every_shipped_skill_fits(simcord_bot):
    from bot.core.content import load_content

    content = load_content(simcord_bot.settings.content_path)
    for skill in content.skills.values():
        embed = skill_embed(skill, practised=3, day=date(2026, 11, 23))
        _fits(embed)
        assert embed.title == f"Skill of the day: {skill.title}"
        assert embed.description.count("**") == 2 * len(skill.steps)
        # Members read the footer: the practised count only, never ids or internal categories.
        assert embed.footer.text == practised_line(3)


def test_the_longest_possible_skill_fits():
    skill = Skill(
        id="x" * 50,
        title="T" * TITLE_MAX,
        why="W" * WHY_MAX,
        steps=tuple("S" * STEP_MAX for _ in range(STEPS_MAX)),
        minutes=60,
        reflection="R" * REFLECTION_MAX,
        category="bonding",
        kind="action",
        good_for=("stress", "low_mood", "anxiety", "sleep", "conflict", "loneliness", "overwhelm", "anger"),
    )
    _fits(skill_embed(skill, practised=10_000, day=date(2026, 11, 23)))
    assert "60 min" in skill_line(skill)


@given(st.integers(min_value=0, max_value=10**6))
def test_practised_line_reads_naturally(count):
    line = practised_line(count)
    if count == 0:
        assert line == "Be the first to practise this today."
    elif count == 1:
        assert line == "1 person practised this."
    else:
        assert line == f"{count} people practised this."
