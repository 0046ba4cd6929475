"""Pure skill-of-the-day logic: rotation, search, suggestions, alternatives and themes."""

from __future__ import annotations

from bot.skills.logic import (
    FEELING_WORDS,
    Pick,
    Suggestion,
    alternative_of_same_kind,
    closest_skills,
    closest_titles,
    cycle_order,
    feeling_tags,
    find_skills,
    ids_in_theme,
    matches_theme,
    next_skill,
    normalise_theme,
    simulate,
    suggest,
    themes,
)

__all__ = [
    "FEELING_WORDS",
    "Pick",
    "Suggestion",
    "alternative_of_same_kind",
    "closest_skills",
    "closest_titles",
    "cycle_order",
    "feeling_tags",
    "find_skills",
    "ids_in_theme",
    "matches_theme",
    "next_skill",
    "normalise_theme",
    "simulate",
    "suggest",
    "themes",
]
