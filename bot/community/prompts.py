"""Prompts, pure: their text, the rule ``/prompt schedule`` builds, rules moved in zone or time,
quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.community.logic import parse_weekdays
from bot.community.store_sessions import PromptRow
from bot.core.content.models import Prompt
from bot.core.errors import UserError
from bot.core.schedule_rules import Rule, local_instant
from bot.core.timeparse import parse_date, parse_time

PROMPT_TEXT_LIMIT = 2000


def prompt_text(row: PromptRow, library: Mapping[str, Prompt]) -> str | None:
    """A scheduled prompt's own text, or its library prompt's; None if that one is gone."""
    if row.text:
        return row.text
    if row.library_id and row.library_id in library:
        return library[row.library_id].text
    return None


def preview(row: PromptRow, library: Mapping[str, Prompt]) -> str:
    """The start of a scheduled prompt, for lists and autocomplete."""
    text = prompt_text(row, library) or "(library prompt no longer available)"
    return text if len(text) <= 60 else text[:59] + "…"


def one_off_instant(day_text: str, time_text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A local date and time in the group zone as a UTC instant, refused if it has passed."""
    day = parse_date(day_text)
    at = parse_time(time_text)
    instant = local_instant(day, at, tz)
    if instant <= now:
        tomorrow = (now.astimezone(tz) + timedelta(days=1)).date().isoformat()
        raise UserError(
            f"{day.isoformat()} {at:%H:%M} ({tz.key}) has already passed. "
            f"Pick a time in the future, like date `{tomorrow}` time `{at:%H:%M}`."
        )
    return instant


def prompt_rule(
    repeat: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    time_text: str,
    date_text: str | None = None,
    days_text: str | None = None,
    every_weeks: int = 1,
) -> Rule:
    """The rule for ``/prompt schedule``: once (date+time), daily, or weekly on chosen days."""
    if repeat == "once":
        if not date_text:
            raise UserError("A one-off prompt needs a date, like `2026-12-24`.")
        return Rule.once(one_off_instant(date_text, time_text, tz, now), tz)
    at = parse_time(time_text)
    if repeat == "daily":
        return Rule.daily(at, tz)
    if repeat == "weekly":
        if not 1 <= every_weeks <= 52:
            raise UserError("Every N weeks must be between 1 and 52, like `2` for every other week.")
        today = now.astimezone(tz).date()
        days = parse_weekdays(days_text) if days_text else frozenset({today.weekday()})
        return Rule.weekly(days, at, tz, every_weeks=every_weeks, anchor=today)
    raise UserError("Repeat must be `once`, `daily` or `weekly`.")


def with_zone(rule: Rule, tz: ZoneInfo) -> Rule:
    """The same wall-clock rule in another zone (a one-off keeps its instant)."""
    if rule.kind == "once":
        assert rule.at is not None
        return Rule.once(rule.at, tz)
    return Rule(rule.kind, tz, rule.local_time, rule.weekdays, rule.every_weeks, rule.anchor, rule.at)


def with_time(rule: Rule, at: time) -> Rule:
    """The same recurring rule at another local time."""
    return Rule(rule.kind, rule.tz, at, rule.weekdays, rule.every_weeks, rule.anchor, rule.at)


# ---- quiet hours ----------------------------------------------------------------------------------


def in_quiet(at: time, start: time, end: time) -> bool:
    """Whether a local time falls in quiet hours ``[start, end)``; they may wrap midnight."""
    at = at.replace(tzinfo=None, fold=0)
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def quiet_release(occurrence: datetime, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """When a post due at ``occurrence`` may go out: None if now is fine, else the end of quiet hours."""
    local = occurrence.astimezone(tz)
    if not in_quiet(local.time(), start, end):
        return None
    day = local.date()
    release = local_instant(day, end, tz)
    while release <= occurrence:
        day += timedelta(days=1)
        release = local_instant(day, end, tz)
    return release
