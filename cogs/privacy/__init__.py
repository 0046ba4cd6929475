"""Privacy and data rights: a member's choices, export and deletion; a group's agreement,
retention and audit log; the daily clean-up and backup.

``commands`` holds the cog, ``views`` the privacy card and forms, ``jobs`` the scheduled upkeep.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.privacy.commands import Privacy


async def setup(bot: ResilienceBot) -> None:
    """Load the cog (it installs the cipher and its schedules in ``cog_load``)."""
    await bot.add_cog(Privacy(bot))
