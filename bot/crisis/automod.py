"""The optional AutoMod rule for a bot without the Message Content intent: its keywords (from
``content/crisis/automod.toml``, checked against Discord's limits) and how serious a match is.

Discord tells the bot only which keyword matched, never the message: so a match's level is the
level its keyword is filed under. Pure: no Discord, no I/O beyond reading the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.problems import ContentInvalid, Problem, read_toml
from bot.crisis.reply import ReplyLevel

RULE_NAME = "Resilience Bot: crisis language"
# Discord's keyword filter limits.
MAX_KEYWORDS = 1_000
MAX_KEYWORD_LENGTH = 60
LEVELS: tuple[ReplyLevel, ...] = ("urgent", "concern")


@dataclass(frozen=True, slots=True)
class AutomodKeywords:
    """The rule's keywords, each with its level (a keyword listed twice keeps the first)."""

    levels: dict[str, ReplyLevel]

    @property
    def keywords(self) -> list[str]:
        return list(self.levels)

    def level_of(self, matched: str | None) -> ReplyLevel:
        """The level of the keyword Discord says matched; concern for one added by hand in Discord."""
        if matched is None:
            return "concern"
        return self.levels.get(matched.strip().lower(), "concern")


def _parse(data: dict[str, Any], file: str) -> tuple[AutomodKeywords, list[Problem]]:
    problems: list[Problem] = []
    levels: dict[str, ReplyLevel] = {}
    for section in data:
        if section not in LEVELS:
            problems.append(Problem(file, section, f"unknown level; use {' or '.join(LEVELS)}"))
    for level in LEVELS:
        section = data.get(level, {})  # a level may be left out
        keywords = section.get("keywords", []) if isinstance(section, dict) else None
        if not isinstance(keywords, list):
            problems.append(Problem(file, f"{level}.keywords", "must be a list of keywords"))
            continue
        for n, keyword in enumerate(keywords):
            where = f"{level}.keywords[{n}]"
            if not isinstance(keyword, str) or not keyword.strip("* "):
                problems.append(Problem(file, where, "must be a word or phrase, not empty"))
            elif len(keyword) > MAX_KEYWORD_LENGTH:
                problems.append(
                    Problem(file, where, f"is {len(keyword)} characters; Discord allows {MAX_KEYWORD_LENGTH}")
                )
            else:
                levels.setdefault(keyword.strip().lower(), level)
    if len(levels) > MAX_KEYWORDS:
        problems.append(Problem(file, "(file)", f"{len(levels)} keywords; Discord allows {MAX_KEYWORDS}"))
    if not levels and not problems:
        problems.append(Problem(file, "(file)", "has no keywords"))
    return AutomodKeywords(levels), problems


def validate_automod(path: Path) -> list[Problem]:
    """Every problem in the keywords file; empty if fine."""
    try:
        data = read_toml(path)
    except ContentInvalid as error:
        return error.problems
    return _parse(data, str(path))[1]


def load_automod(path: Path) -> AutomodKeywords:
    """The keywords, or ContentInvalid naming the file and field."""
    keywords, problems = _parse(read_toml(path), str(path))
    if problems:
        raise ContentInvalid(problems)
    return keywords
