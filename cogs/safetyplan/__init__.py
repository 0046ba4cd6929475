"""``/safetyplan``: a private, personal safety plan (Stanley–Brown sections), only for its owner.

``commands`` holds the cog and what each button does, ``views`` the plan's embed, its persistent
buttons (``safetyplan:*``) and the edit form. The plan belongs to the person, not to a group: it
works in DMs too, and every crisis DM offers it with a button carrying ``OPEN_PLAN_ID``.
"""

from __future__ import annotations

from bot.core.bot import ResilienceBot
from cogs.safetyplan.commands import SafetyPlan
from cogs.safetyplan.views import PLAN_BUTTONS


async def setup(bot: ResilienceBot) -> None:
    """Load the cog and the plan's persistent buttons."""
    bot.add_dynamic_items(*PLAN_BUTTONS)
    await bot.add_cog(SafetyPlan(bot))
