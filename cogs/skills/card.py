"""The skill card as Discord shows it: a Components V2 card (``bot/core/cards.py``). The words
that need no Discord are in ``bot.skills.card``."""

from __future__ import annotations

from datetime import date

from bot.core.cards import Buttons, Card, Divider, Section, Text, card
from bot.core.content.models import Skill, label
from bot.skills.card import practised_line
from cogs.skills.views import OtherButton, PractisedButton, SaveButton

CARD_COLOUR = 0x5B8DEF
DAILY_PREFIX = "Skill of the day: "


def skill_card(
    skill: Skill,
    *,
    post_id: int | None = None,
    practised: int | None = None,
    day: date | None = None,
    intro: str | None = None,
) -> Card:
    """The skill card: title, why, numbered steps, minutes, what it helps with, the reflection.

    With ``post_id`` (the daily post, ``/skill today``) it carries the post's three persistent
    buttons, **I practised this** beside the "how many practised" line (``practised``); their
    custom ids are the ones the embed cards of earlier releases carry, so those keep working.
    ``day`` names it the skill of the day; ``intro`` is a line above it (a V2 card has no content).
    """
    steps = "\n".join(f"**{n}.** {step}" for n, step in enumerate(skill.steps, start=1))
    title = f"{DAILY_PREFIX}{skill.title}" if day is not None else skill.title
    minutes = "1 minute" if skill.minutes == 1 else f"{skill.minutes} minutes"
    good_for = ", ".join(label(t) for t in skill.good_for)
    # Members read every line: never ids or the library's internal categories.
    counted: list[Section | Buttons | Divider] = []
    if post_id is not None:
        line = practised_line(practised or 0)
        counted = [
            Divider(),
            Section((line,), accessory=PractisedButton(post_id)),
            Buttons((SaveButton(post_id), OtherButton(post_id))),
        ]
    return card(
        Text(intro) if intro else None,
        Text(f"## {title}\n*{skill.why}*"),
        Text(steps),
        Divider(visible=False),
        Text(f"**Time:** {minutes} · **Good for:** {good_for}"),
        Text(f"**To reflect on**\n{skill.reflection}"),
        *counted,
        accent=CARD_COLOUR,
    )
