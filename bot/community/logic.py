"""What the community features share, pure: text lengths, weekdays and Discord timestamps.

Everything in ``bot.community`` is a function of its inputs (times are passed in, never read
from a clock), so quiet hours, recurrences, session reminders and card wording are tested
without Discord.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.errors import UserError
from bot.core.schedule_rules import WEEKDAY_NAMES

_WEEKDAY_ALIASES = {name[:3]: i for i, name in enumerate(WEEKDAY_NAMES)} | {
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}


def check_length(text: str, limit: int, what: str) -> str:
    """Stripped text, or a kind error stating the limit."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError(f"The {what} is empty. Write a few words, like `Walk 20 minutes a day`.")
    if len(cleaned) > limit:
        raise UserError(
            f"The {what} is {len(cleaned):,} characters; the limit is {limit:,}. Please shorten it."
        )
    return cleaned


def parse_weekday(text: str) -> int:
    """Monday=0 .. Sunday=6 from "monday", "Mon" or "tues"; a kind error otherwise."""
    cleaned = text.strip().lower().rstrip(".")
    if cleaned in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(cleaned)
    if cleaned in _WEEKDAY_ALIASES:
        return _WEEKDAY_ALIASES[cleaned]
    shown = text.strip().replace("`", "'")[:30] or "an empty answer"
    raise UserError(f"`{shown}` isn't a day of the week. Try `monday` or `thu`.")


def parse_weekdays(text: str) -> frozenset[int]:
    """Several weekdays separated by commas or spaces: "mon, thu"."""
    parts = [p for p in re.split(r"[,\s/]+", text) if p]
    if not parts:
        raise UserError("Choose at least one day, like `mon, thu`.")
    return frozenset(parse_weekday(p) for p in parts)


def ts(when: datetime, style: str = "F") -> str:
    """Discord timestamp markup: each reader sees their own local time."""
    return f"<t:{int(when.astimezone(UTC).timestamp())}:{style}>"
