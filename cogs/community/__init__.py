"""The group's life between sessions: ``/prompt``, ``/session``, ``/celebrate`` and ``/wins``, ``/goal``.

``prompts``, ``sessions``, ``celebrations`` and ``goals`` hold each cog and its commands; ``jobs``
what they do by themselves (scheduled prompts, session reminders and digests, milestone cards,
goals passed on to partners), ``digest`` the digest's numbers and chart; ``base`` what all four
share (the cog's header, the group's channels, a scheduled post, a schedule kept in step);
``views`` the RSVP buttons and the prompt card.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.community.celebrations import Celebrations
from cogs.community.goals import Goals
from cogs.community.prompts import Prompts
from cogs.community.sessions import Sessions
from cogs.community.views import RsvpButton


async def setup(bot: ResilienceBot) -> None:
    """Load the four cogs and the session reminder's persistent buttons."""
    bot.add_dynamic_items(RsvpButton)
    for cog in (Celebrations(bot), Goals(bot), Prompts(bot), Sessions(bot)):
        await bot.add_cog(cog)
