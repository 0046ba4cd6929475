"""Sessions, pure: when the group meets, which session a reminder is about, and its words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.community.logic import ts
from bot.core.errors import UserError
from bot.core.schedule_rules import WEEKDAY_NAMES, Rule, next_occurrence, occurrences

COVER_LIMIT = 1000
WHERE_LIMIT = 200
MAX_REMINDERS = 4
MAX_REMINDER_HOURS = 7 * 24


def parse_hours_list(text: str) -> list[int]:
    """Reminder hours before a session: "24, 1" -> [24, 1] (largest first, no repeats)."""
    example = "Try `24, 1` (a day before and an hour before)."
    parts = [p for p in re.split(r"[,\s]+", text.strip().lower().replace("h", " ")) if p]
    if not parts:
        raise UserError(f"Give at least one number of hours. {example}")
    hours: set[int] = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER_HOURS:
            raise UserError(
                f"`{part[:20]}` isn't a number of hours between 1 and {MAX_REMINDER_HOURS}. {example}"
            )
        hours.add(int(part))
    if len(hours) > MAX_REMINDERS:
        raise UserError(f"At most {MAX_REMINDERS} reminders per session. {example}")
    return sorted(hours, reverse=True)


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """When the group meets: a weekday and local time, every N weeks from an anchor date."""

    weekday: int
    at: time
    every_weeks: int
    anchor: date
    where: str | None

    def rule(self, tz: ZoneInfo) -> Rule:
        return Rule.weekly({self.weekday}, self.at, tz, every_weeks=self.every_weeks, anchor=self.anchor)

    def before(self, hours: int, tz: ZoneInfo) -> Rule:
        """A rule firing ``hours`` of wall-clock time before each session."""
        shifted = datetime.combine(self.anchor, self.at) - timedelta(hours=hours)
        return Rule.weekly(
            {shifted.weekday()}, shifted.time(), tz, every_weeks=self.every_weeks, anchor=shifted.date()
        )

    def describe(self) -> str:
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        return f"{every} on {WEEKDAY_NAMES[self.weekday].capitalize()} at {self.at:%H:%M}"


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def upcoming_sessions(
    plan: SessionPlan, tz: ZoneInfo, after: datetime, skipped: Iterable[date], count: int = 1
) -> list[datetime]:
    """The next ``count`` sessions strictly after ``after``, leaving out skipped dates."""
    skip = set(skipped)
    rule = plan.rule(tz)
    found: list[datetime] = []
    horizon = after + timedelta(weeks=plan.every_weeks * (count + len(skip) + 1) + 1)
    for instant in occurrences(rule, after, horizon):
        if instant.astimezone(tz).date() in skip:
            continue
        found.append(instant)
        if len(found) >= count:
            break
    return found


def session_after(plan: SessionPlan, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The session a reminder fired at ``after`` is about (skipped or not)."""
    return next_occurrence(plan.rule(tz), after)


def is_first_session(plan: SessionPlan, tz: ZoneInfo, session: datetime) -> bool:
    """Whether ``session`` is the first on this schedule (its anchor): there is none before it."""
    return session.astimezone(tz).date() <= plan.anchor


def previous_session(plan: SessionPlan, tz: ZoneInfo, session: datetime) -> datetime:
    """The session before ``session`` (the start of "since last session")."""
    rule = plan.rule(tz)
    start = session - timedelta(weeks=plan.every_weeks, days=2)
    earlier = [i for i in occurrences(rule, start, session) if i < session]
    return earlier[-1] if earlier else session - timedelta(weeks=plan.every_weeks)


# ---- words people read ------------------------------------------------------------------------------


def reminder_text(
    session_at: datetime, hours: int, where: str | None, *, event_url: str | None = None
) -> str:
    soon = "in about an hour" if hours == 1 else f"in about {hours} hours"
    if hours % 24 == 0:
        days = hours // 24
        soon = "tomorrow" if days == 1 else f"in {days} days"
    lines = [
        f"**Group session {soon}**: {ts(session_at)} ({ts(session_at, 'R')}).",
    ]
    if where:
        lines.append(f"Where: {where}")
    if event_url:
        lines.append(f"On Discord's events: {event_url} (Interested counts as going)")
    lines.append("Let us know if you can make it. Either answer is fine.")
    return "\n".join(lines)


def missed_note(cover: str | None) -> str:
    base = "Thanks for letting us know. We'll miss you, and you're welcome back any time."
    if cover:
        return f"{base}\n\nHere is what we'll cover, in case you want to look at it on your own:\n{cover}"
    return base
