"""``/pair``: opt-in accountability pairs with a private thread each, and a mid-round follow-up.

``commands`` holds the cog, ``rounds`` what a round does in Discord, ``jobs`` what runs by
itself (schedules, outbox callbacks, listeners), ``views`` the buttons and views.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.pairs.commands import Pairs
from cogs.pairs.views import AnswerButton, RePairButton


async def setup(bot: ResilienceBot) -> None:
    """Load the cog and its persistent buttons."""
    await bot.add_cog(Pairs(bot))
    bot.add_dynamic_items(AnswerButton, RePairButton)
