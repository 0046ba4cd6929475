"""SQL for prompts, sessions, goals and wins: one repository over its four parts.

``store_sessions`` holds the settings, prompts and sessions; ``store_events`` the Discord events
that stand for sessions; ``store_goals`` goals, wins and milestones; ``store_reads`` the other
features' tables, read defensively. Every query is scoped by guild (and member).
"""

from __future__ import annotations

from bot.community.store_events import SessionEvent, SessionEventStore
from bot.community.store_goals import Goal, GoalStatus, GoalStore, Share, Win
from bot.community.store_reads import NeighbourReads
from bot.community.store_sessions import CommunitySettings, PromptRow, SessionStore

__all__ = [
    "CommunityRepository",
    "CommunitySettings",
    "Goal",
    "GoalStatus",
    "PromptRow",
    "SessionEvent",
    "Share",
    "Win",
]


class CommunityRepository(SessionStore, SessionEventStore, GoalStore, NeighbourReads):
    """All SQL for the community features: its four parts over one database."""
