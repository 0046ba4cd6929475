"""Goals, pure: progress notes, and the words of a group win and a partner's DM."""

from __future__ import annotations

import re

from bot.community.logic import check_length
from bot.core.errors import UserError

GOAL_TEXT_LIMIT = 200
NOTE_LIMIT = 200


def parse_progress(text: str) -> tuple[int | None, str | None]:
    """ "40%" -> (40, None); "halfway there" -> (None, "halfway there")."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{1,3})\s*%?", cleaned)
    if match:
        percent = int(match[1])
        if percent > 100:
            raise UserError("Progress is a percent from 0 to 100, like `40%`, or a short note.")
        return percent, None
    return None, check_length(cleaned, NOTE_LIMIT, "progress note")


def goal_done_text(member_mention: str, goal: str) -> str:
    return f"🌟 {member_mention} reached a goal they shared with the group:\n> {goal}"


def partner_goal_text(name: str, goal: str, event: str, group_name: str) -> str:
    """The DM a partner gets when a member shares a goal with them (set or done)."""
    if event == "done":
        return (
            f"🌟 {name} finished a goal they shared with you: **{goal}**\n"
            f"(Your accountability partner in {group_name}.) A kind word from you would mean a lot."
        )
    return (
        f"🤝 {name} shared a goal with you: **{goal}**\n"
        f"(Your accountability partner in {group_name}.) Cheering them on is all it takes."
    )
