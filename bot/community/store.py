"""SQL for prompts, sessions, goals and wins: one repository over its three parts.

``store_sessions`` holds the settings, prompts and sessions; ``store_goals`` goals, wins and
milestones; ``store_reads`` the other features' tables, read defensively. Every query is scoped
by guild (and member).
"""

from __future__ import annotations

from bot.community.store_goals import Goal, GoalStatus, GoalStore, Share, Win
from bot.community.store_reads import NeighbourReads
from bot.community.store_sessions import CommunitySettings, PromptRow, SessionStore

__all__ = [
    "CommunityRepository",
    "CommunitySettings",
    "Goal",
    "GoalStatus",
    "PromptRow",
    "Share",
    "Win",
]


class CommunityRepository(SessionStore, GoalStore, NeighbourReads):
    """All SQL for the community features: its three parts over one database."""
