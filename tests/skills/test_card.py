"""The skill card (Components V2): every shipped skill and the longest possible skill fit
Discord's limits whole, without anything shortened."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from simcord.components import COMPONENTS_V2_FLAG, validate_components

from bot.core.cards import MAX_TEXT, fit
from bot.core.content import Skill
from bot.core.content.models import REFLECTION_MAX, STEP_MAX, STEPS_MAX, TITLE_MAX, WHY_MAX
from bot.skills.card import practised_line, skill_line
from cogs.skills.card import skill_card


def _fits_whole(built) -> list[str]:
    """Discord accepts the card, and fitting it changed nothing; returns its texts."""
    assert fit(built) == built
    validate_components(built.view().to_components(), flags=COMPONENTS_V2_FLAG)
    assert sum(map(len, built.texts())) <= MAX_TEXT
    return built.texts()


def test_every_shipped_skill_fits(simcord_bot):
    from bot.core.content import load_content

    content = load_content(simcord_bot.settings.content_path)
    for skill in content.skills.values():
        texts = _fits_whole(skill_card(skill, post_id=7, practised=3, day=date(2026, 11, 23)))
        assert texts[0].startswith(f"## Skill of the day: {skill.title}\n")
        assert texts[1].count("**") == 2 * len(skill.steps)
        # Members read every line: the practised count, never ids or internal categories.
        assert texts[-1] == practised_line(3)
        assert skill.id not in "".join(texts[1:])


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
    _fits_whole(
        skill_card(skill, post_id=7, practised=10_000, day=date(2026, 11, 23), intro="Today's skill:")
    )
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
