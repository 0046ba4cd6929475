"""Helpers for skill-of-the-day behaviour tests."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from tests.conftest import Group


async def schedule_skills(group: Group, at: str = "09:00") -> None:
    """A facilitator sets the daily skill time (the group is in London)."""
    result = await group.facilitator.slash(group.general, "skill schedule", time=at)
    assert "every day" in result.response.content


async def post_day(group: Group, day: int, month: int = 11, year: int = 2026) -> None:
    """Move the clock to 09:00 London on a day and run what is due (the daily post)."""
    group.clock.set(datetime(year, month, day, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()


def cards(group: Group) -> list[discord.Message]:
    """The skill cards in the skills channel, oldest first."""
    return [m for m in group.channels["skills"].history() if m.embeds and m.author.bot]


def card_title(message: discord.Message) -> str:
    title = message.embeds[0].title or ""
    return title.removeprefix("Skill of the day: ")


def footer(message: discord.Message) -> str:
    return message.embeds[0].footer.text or ""


async def posted_skill(group: Group, message: discord.Message) -> str:
    """The id of the skill a card shows (members see only its title, so ask the database)."""
    row = await group.bot.db.fetch_one("SELECT skill_id FROM skill_posts WHERE message_id = ?", (message.id,))
    assert row is not None, "not a skill-of-the-day card"
    return str(row["skill_id"])
