"""Celebrations, pure: the wins list's period, celebration cards and milestones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

CELEBRATION_LIMIT = 500


def wins_since(period: str, now: datetime) -> datetime:
    return now - (timedelta(days=30) if period == "month" else timedelta(days=7))


def celebration_text(sender_name: str, member_mention: str, what: str) -> str:
    """The card mentions only the celebrated member; the sender is named, not pinged."""
    return f"🎉 {member_mention}, {sender_name} is celebrating you:\n> {what}"


# ---- milestones ---------------------------------------------------------------------------------

MilestoneKind = Literal["skills", "goals", "pairs"]

# Check-in streak milestones are posted by the check-in feature itself, so they are not here.
MILESTONES: dict[MilestoneKind, tuple[int, ...]] = {
    "skills": (5, 10, 25, 50, 100),
    "goals": (1, 5, 10, 25),
    "pairs": (3, 5, 10, 20),
}


def new_milestones(kind: MilestoneKind, count: int, celebrated: Iterable[int]) -> list[int]:
    """Thresholds reached by ``count`` and not yet celebrated, lowest first."""
    done = set(celebrated)
    return [t for t in MILESTONES[kind] if t <= count and t not in done]


def milestone_win(kind: MilestoneKind, threshold: int) -> str:
    """The short line kept in the wins list."""
    if kind == "skills":
        return f"Practised {threshold} skills"
    if kind == "goals":
        return "Reached their first goal" if threshold == 1 else f"Reached {threshold} goals"
    return f"Stayed with {threshold} accountability pair rounds"


def milestone_text(kind: MilestoneKind, threshold: int, member_mention: str) -> str:
    """The card in the wins channel: mentions only the member, says nothing about content."""
    if kind == "skills":
        body = f"has practised **{threshold} skills** with the group. Every one of them counts."
    elif kind == "goals":
        body = (
            "reached **their first goal**. That first step is a big one."
            if threshold == 1
            else f"has reached **{threshold} goals**. Steady, real progress."
        )
    else:
        body = (
            f"has stayed with **{threshold} accountability pair rounds**. Showing up for each other matters."
        )
    return f"🏅 Milestone! {member_mention} {body}"
