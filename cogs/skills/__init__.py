"""Skill of the day: the daily card, its buttons, ``/skill`` and ``/toolkit``.

``commands`` holds the cog, ``jobs`` the daily post and its count edits, ``views`` the card's
buttons and the facilitator's modal, ``card`` the card (Components V2), ``library`` the group's skills.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.skills.commands import Skills
from cogs.skills.views import CARD_BUTTONS


async def setup(bot: ResilienceBot) -> None:
    """Load the cog and the card's persistent buttons."""
    bot.add_dynamic_items(*CARD_BUTTONS)
    await bot.add_cog(Skills(bot))
