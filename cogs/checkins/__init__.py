"""Daily check-ins: ``/checkin now|history|remind|pause|recap``, the daily post, reminders,
weekly recaps, ``/group pulse``.

``commands`` holds the cog, ``form`` what a check-in does (the form, saving it, the shared
card), ``jobs`` what runs by itself (the daily post, reminders, recaps, outbox callbacks,
listeners), ``views`` the persistent buttons, the modal and views.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from bot.skills.store import SkillRepository
from cogs.checkins.commands import Checkins
from cogs.checkins.views import PERSISTENT_BUTTONS


async def setup(bot: ResilienceBot) -> None:
    """Load the cog and its persistent buttons; the recap counts practised skills through the
    skills store (check-ins never read the skills tables themselves)."""
    bot.add_dynamic_items(*PERSISTENT_BUTTONS)
    await bot.add_cog(Checkins(bot, SkillRepository(bot.db).practice_counts))
