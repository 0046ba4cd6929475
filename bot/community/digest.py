"""The facilitators' pre-session digest, pure: counts only, from members who agreed to share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.community.logic import ts
from bot.community.session_events import INCL_EVENT
from bot.core.wording import plural

# Below this many contributing members a count or rate would point at one person: not shown.
MIN_CONTRIBUTORS = 2


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
    # The first session on this schedule: ``since`` is then just the window counted, not a session.
    first_session: bool = False
    # The session has a Discord event: ``going`` counts "Interested" on it too.
    going_with_event: bool = False


def digest_text(data: DigestData, *, checkins_available: bool) -> str:
    lines = [
        f"**Before the session {ts(data.session_at)}**",
        _period_line(data),
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
    incl = f" {INCL_EVENT}" if data.going_with_event else ""
    lines.append(f"- RSVPs: {data.going} going, {data.not_going} can't make it{incl}")
    return "\n".join(lines)


def _period_line(data: DigestData) -> str:
    if data.first_session:
        days = plural(round((data.session_at - data.since).total_seconds() / 86400), "day")
        return (
            f"This is the first session, so here are the last {days}, counting only members who "
            "agreed to share:"
        )
    return f"Since the last session ({ts(data.since, 'D')}), counting only members who agreed to share:"


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
