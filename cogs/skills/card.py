"""The skill card as Discord shows it (an embed); the words that need no Discord are in
``bot.skills.card``."""

from __future__ import annotations

from datetime import date

import discord

from bot.core.content.models import Skill, label
from bot.skills.card import practised_line

CARD_COLOUR = discord.Colour(0x5B8DEF)


def skill_embed(skill: Skill, *, practised: int | None = None, day: date | None = None) -> discord.Embed:
    """The skill card: title, why, numbered steps, minutes and the reflection question.

    ``practised`` adds the "how many practised" line (the daily post); ``day`` names the post's date.
    """
    steps = "\n".join(f"**{n}.** {step}" for n, step in enumerate(skill.steps, start=1))
    description = f"*{skill.why}*\n\n{steps}"
    title = f"Skill of the day: {skill.title}" if day is not None else skill.title
    embed = discord.Embed(title=title[:256], description=description[:4096], colour=CARD_COLOUR)
    minutes = "1 minute" if skill.minutes == 1 else f"{skill.minutes} minutes"
    embed.add_field(name="Time", value=minutes, inline=True)
    embed.add_field(name="Good for", value=", ".join(label(t) for t in skill.good_for)[:1024], inline=True)
    embed.add_field(name="To reflect on", value=skill.reflection[:1024], inline=False)
    # Members read the footer: only the practised count, never ids or the library's categories.
    if practised is not None:
        embed.set_footer(text=practised_line(practised)[:2048])
    return embed
