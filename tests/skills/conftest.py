"""Helpers for skill-of-the-day behaviour tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from cogs.skills.card import DAILY_PREFIX
from tests.conftest import Group
from tests.support.cards import card_texts


async def schedule_skills(group: Group, at: str = "09:00") -> None:
    """A facilitator sets the daily skill time (the group is in London)."""
    result = await group.facilitator.slash(group.general, "skill schedule", time=at)
    assert "every day" in result.response.content


async def post_day(group: Group, day: int, month: int = 11, year: int = 2026) -> None:
    """Move the clock to 09:00 London on a day and run what is due (the daily post)."""
    group.clock.set(datetime(year, month, day, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()


def cards(group: Group) -> list[discord.Message]:
    """The skill-of-the-day cards in the skills channel, oldest first."""
    return [
        m for m in group.channels["skills"].history() if m.author.bot and heading(m).startswith(DAILY_PREFIX)
    ]


def heading(message: Any) -> str:
    """A skill card's title line (``## ...``), as a member reads it; "" if it has none."""
    for text in card_texts(message):
        if text.startswith("## "):
            return text.splitlines()[0].removeprefix("## ")
    return ""


def card_title(message: Any) -> str:
    """The skill's title on a card (a posted message or a command's reply)."""
    return heading(message).removeprefix(DAILY_PREFIX)


def footer(message: Any) -> str:
    """The card's "how many practised" line, beside the **I practised this** button."""
    return next(
        t for t in card_texts(message) if t.endswith("practised this.") or t.startswith("Be the first")
    )


async def posted_skill(group: Group, message: discord.Message) -> str:
    """The id of the skill a card shows (members see only its title, so ask the database)."""
    row = await group.bot.db.fetch_one("SELECT skill_id FROM skill_posts WHERE message_id = ?", (message.id,))
    assert row is not None, "not a skill-of-the-day card"
    return str(row["skill_id"])
