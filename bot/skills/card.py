"""The words about skills that need no Discord: the practised line, listings and toolkit lines.

The card itself (a Components V2 card) is built in ``cogs/skills/card.py``.
"""

from __future__ import annotations

from bot.core.content.models import Skill
from bot.skills.store import ToolkitEntry


def practised_line(count: int) -> str:
    """The card's footer line about how many practised."""
    if count <= 0:
        return "Be the first to practise this today."
    if count == 1:
        return "1 person practised this."
    return f"{count} people practised this."


def skill_line(skill: Skill) -> str:
    """One line for lists: title, id, minutes and the why."""
    return f"**{skill.title}** (`{skill.id}`, {skill.minutes} min): {skill.why}"


def toolkit_line(entry: ToolkitEntry, skill: Skill | None) -> str:
    """One saved skill in ``/toolkit``, with how often and when the member last practised it."""
    # Members read this: the skill's title, never its id.
    gone = entry.skill_id.replace("-", " ").replace("_", " ").capitalize()
    title = f"**{skill.title}**" if skill else f"{gone} (no longer available)"
    if entry.practised:
        times = "once" if entry.practised == 1 else f"{entry.practised} times"
        assert entry.last_practised is not None
        done = f"practised {times}, last on <t:{int(entry.last_practised.timestamp())}:D>"
    else:
        done = "not practised yet"
    return f"- {title}: {done}"
