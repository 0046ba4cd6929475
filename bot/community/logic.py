"""Pure helpers for prompts, sessions, goals and celebrations: no Discord, no database.

Everything here is a function of its inputs (times are passed in, never read from a clock), so
quiet hours, recurrences, session reminders and card wording are tested without Discord.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.schedule_rules import WEEKDAY_NAMES, Rule, local_instant, next_occurrence, occurrences
from bot.core.timeparse import parse_date, parse_time

PROMPT_TEXT_LIMIT = 2000
GOAL_TEXT_LIMIT = 200
CELEBRATION_LIMIT = 500
COVER_LIMIT = 1000
WHERE_LIMIT = 200
NOTE_LIMIT = 200
MAX_REMINDERS = 4
MAX_REMINDER_HOURS = 7 * 24

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


# ---- weekdays, dates and recurrences ------------------------------------------------------------


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


# ---- sessions -------------------------------------------------------------------------------------


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


def previous_session(plan: SessionPlan, tz: ZoneInfo, session: datetime) -> datetime:
    """The session before ``session`` (the start of "since last session")."""
    rule = plan.rule(tz)
    start = session - timedelta(weeks=plan.every_weeks, days=2)
    earlier = [i for i in occurrences(rule, start, session) if i < session]
    return earlier[-1] if earlier else session - timedelta(weeks=plan.every_weeks)


# ---- goals and wins ----------------------------------------------------------------------------------


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


def wins_since(period: str, now: datetime) -> datetime:
    return now - (timedelta(days=30) if period == "month" else timedelta(days=7))


def ts(when: datetime, style: str = "F") -> str:
    """Discord timestamp markup: each reader sees their own local time."""
    return f"<t:{int(when.astimezone(UTC).timestamp())}:{style}>"


# ---- words people read ------------------------------------------------------------------------------


def reminder_text(session_at: datetime, hours: int, where: str | None) -> str:
    soon = "in about an hour" if hours == 1 else f"in about {hours} hours"
    if hours % 24 == 0:
        days = hours // 24
        soon = "tomorrow" if days == 1 else f"in {days} days"
    lines = [
        f"**Group session {soon}**: {ts(session_at)} ({ts(session_at, 'R')}).",
    ]
    if where:
        lines.append(f"Where: {where}")
    lines.append("Let us know if you can make it. Either answer is fine.")
    return "\n".join(lines)


def missed_note(cover: str | None) -> str:
    base = "Thanks for letting us know. We'll miss you, and you're welcome back any time."
    if cover:
        return f"{base}\n\nHere is what we'll cover, in case you want to look at it on your own:\n{cover}"
    return base


def celebration_text(sender_name: str, member_mention: str, what: str) -> str:
    """The card mentions only the celebrated member; the sender is named, not pinged."""
    return f"🎉 {member_mention}, {sender_name} is celebrating you:\n> {what}"


def goal_done_text(member_mention: str, goal: str) -> str:
    return f"🌟 {member_mention} reached a goal they shared with the group:\n> {goal}"


# ---- milestones and partner goals ---------------------------------------------------------------

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


@dataclass(frozen=True, slots=True)
class DigestData:
    """What a pre-session digest shows: counts only, from members who agreed to share."""

    session_at: datetime
    since: datetime
    sharing_members: int
    checkin_members: int
    checkins: int
    mood_first: float | None
    mood_last: float | None
    goals_done: int
    going: int
    not_going: int
    # None: that feature isn't installed. Counts only from members who share aggregates.
    skill_practices: int | None = None
    skill_members: int = 0
    top_skills: tuple[tuple[str, int], ...] = ()
    pair_answers: int | None = None
    pair_connected: int = 0


def digest_text(data: DigestData, *, checkins_available: bool) -> str:
    lines = [
        f"**Before the session {ts(data.session_at)}**",
        f"Since the last session ({ts(data.since, 'D')}), counting only members who agreed to share:",
    ]
    if not checkins_available:
        lines.append("- Check-ins: not available in this group yet.")
    elif data.sharing_members == 0:
        lines.append("- Check-ins: nobody has chosen to share check-ins with facilitators yet.")
    else:
        lines.append(
            f"- Check-ins: {data.checkin_members} of {data.sharing_members} sharing members "
            f"checked in ({data.checkins} check-ins)."
        )
        if data.mood_first is not None and data.mood_last is not None:
            trend = _trend(data.mood_first, data.mood_last)
            lines.append(f"- Average mood: {data.mood_first:.1f} → {data.mood_last:.1f} ({trend}).")
    lines.extend(_skills_lines(data))
    lines.extend(_pairs_lines(data))
    lines.append(f"- Goals completed: {data.goals_done}")
    lines.append(f"- RSVPs: {data.going} going, {data.not_going} can't make it")
    return "\n".join(lines)


# Below this many contributing members a count or rate would point at one person: not shown.
MIN_CONTRIBUTORS = 2


def _skills_lines(data: DigestData) -> list[str]:
    if data.skill_practices is None:
        return []
    if data.skill_members < MIN_CONTRIBUTORS:
        return ["- Skills: too few sharing members practised to show without pointing at someone."]
    lines = [f"- Skills: {data.skill_practices} practised by {data.skill_members} sharing members."]
    if data.top_skills:
        top = ", ".join(f"{title} ({n})" for title, n in data.top_skills)
        lines.append(f"- Practised most: {top}")
    return lines


def _pairs_lines(data: DigestData) -> list[str]:
    if data.pair_answers is None:
        return []
    if data.pair_answers < MIN_CONTRIBUTORS:
        return ["- Pairs: too few follow-up answers from sharing members to show a rate."]
    rate = round(100 * data.pair_connected / data.pair_answers)
    return [
        f"- Pair connection rate: {rate}% ({data.pair_connected} of {data.pair_answers} "
        "follow-up answers said they connected)."
    ]


def top_counts(items: Iterable[str], limit: int = 3) -> list[tuple[str, int]]:
    """The most frequent items, ties broken by name, most frequent first."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _trend(first: float, last: float) -> str:
    if last - first >= 0.3:
        return "rising"
    if first - last >= 0.3:
        return "dipping"
    return "steady"


def daily_means(rows: Iterable[tuple[str, int]]) -> list[tuple[date, int, float]]:
    """(local_date, mood) rows -> per day (day, count, average mood), in date order."""
    by_day: dict[str, list[int]] = {}
    for day, mood in rows:
        by_day.setdefault(day, []).append(mood)
    return [(date.fromisoformat(d), len(m), sum(m) / len(m)) for d, m in sorted(by_day.items())]


def chunks(lines: Iterable[str], limit: int = 1900) -> Iterator[str]:
    """Lines joined into messages under Discord's limit."""
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            yield current
            current = ""
        current = f"{current}\n{line}" if current else line[:limit]
    if current:
        yield current
