"""Crisis replies: notice crisis language, answer privately, alert the facilitators.

``commands`` holds the cog (``/resources``, ``/grounding``, ``/crisis``) and what the buttons do,
``jobs`` the listener and the alerts, ``views`` the persistent buttons (``crisis:*``) and texts.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.crisis.commands import Crisis
from cogs.crisis.views import CRISIS_BUTTONS


async def setup(bot: ResilienceBot) -> None:
    """Load the cog and the crisis DM's and alerts' persistent buttons."""
    bot.add_dynamic_items(*CRISIS_BUTTONS)
    await bot.add_cog(Crisis(bot))
