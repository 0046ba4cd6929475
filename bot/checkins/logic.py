"""Pure check-in logic: local days, mood words, emotion choices, summaries and the group pulse.

Nothing here talks to Discord or the database; the cog (``cogs/checkins/``) does the I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.checkins.streaks import Streak
from bot.core.content.models import EmotionVocabulary, EmotionWord
from bot.core.wording import short_date

MOODS: dict[int, tuple[str, str]] = {
    1: ("Very low", "😞"),
    2: ("Low", "🙁"),
    3: ("Okay", "😐"),
    4: ("Good", "🙂"),
    5: ("Great", "😄"),
}

MAX_EMOTIONS = 3
NOTE_MAX = 500
SELECT_MAX = 25
HISTORY_DAYS = (7, 30, 90)
#: A member whose 7-day average fell this much against the previous 7 days is counted in the pulse.
DROP_POINTS = 1.5
DROP_WINDOW_DAYS = 7
#: ``/checkin recap day:`` choices, Monday first (index = ``date.weekday()``).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The weekly recap goes out at this local time on the member's chosen day.
RECAP_TIME = time(18, 0)
RECAP_TOP_EMOTIONS = 3
RECAP_MAX_SKILLS = 8

#: What the weekly recap asks of the skills feature: ``(skill_id, times)`` a member practised
#: from the first to the last local day, most practised first. The cog layer hands it in
#: (backed by the skills store), so check-ins never read another feature's tables.
PracticeCounts = Callable[[int, int, date, date], Awaitable[list[tuple[str, int]]]]


def local_day(now: datetime, zone: str) -> date:
    """The member's calendar day at instant ``now`` in ``zone`` (an IANA name)."""
    if now.tzinfo is None:
        raise ValueError("local_day needs an aware instant")
    return now.astimezone(ZoneInfo(zone)).date()


def mood_words(mood: int) -> str:
    """``"🙂 Good"``: the mood as emoji and words, never as a bare number."""
    words, emoji = MOODS[mood]
    return f"{emoji} {words}"


def common_words(vocabulary: EmotionVocabulary, limit: int = SELECT_MAX) -> list[EmotionWord]:
    """Up to ``limit`` words for the modal's one select, taken fairly from every family.

    Round-robin over families (first word of each, then the second of each, ...), so every
    family is represented before any family gets a third word.
    """
    chosen: list[EmotionWord] = []
    depth = 0
    longest = max(len(f.words) for f in vocabulary.families)
    while len(chosen) < limit and depth < longest:
        for family in vocabulary.families:
            if depth < len(family.words) and len(chosen) < limit:
                chosen.append(family.words[depth])
        depth += 1
    return chosen


def clean_emotions(values: Iterable[str], vocabulary: EmotionVocabulary) -> tuple[str, ...]:
    """Known words only, in order, without repeats, at most :data:`MAX_EMOTIONS`."""
    seen: list[str] = []
    for value in values:
        if vocabulary.word(value) is not None and value not in seen:
            seen.append(value)
    return tuple(seen[:MAX_EMOTIONS])


def emotion_labels(values: Iterable[str], vocabulary: EmotionVocabulary) -> list[str]:
    labels = []
    for value in values:
        word = vocabulary.word(value)
        labels.append(word.label if word else value)
    return labels


def card_text(display_name: str, mood: int, emotions: Sequence[str], vocabulary: EmotionVocabulary) -> str:
    """The shared card: name, mood in words and emoji, emotion words. Never the note."""
    line = f"**{display_name}** checked in: {mood_words(mood)}"
    labels = emotion_labels(emotions, vocabulary)
    if labels:
        line += f"\nFeeling: {', '.join(labels)}"
    return line


def streak_text(streak: Streak) -> str:
    if streak.current == 0:
        return "Your streak starts with your next check-in."
    days = "day" if streak.current == 1 else "days"
    return f"Streak: **{streak.current}** {days} (best {streak.best})."


def milestone_text(milestone: int) -> str:
    return f"🎉 {milestone} days of checking in. That's real care for yourself. Well done."


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """What ``/checkin history`` says in words next to the chart."""

    checkins: int
    days: int
    average: float | None
    top_emotions: list[tuple[str, int]]


def summarize_history(
    moods: Sequence[tuple[date, int, Sequence[str]]], days: int, top: int = 3
) -> HistorySummary:
    """Average mood and the most named emotions over ``(day, mood, emotions)`` rows."""
    counter: Counter[str] = Counter()
    for _day, _mood, emotions in moods:
        counter.update(emotions)
    average = sum(m for _, m, _ in moods) / len(moods) if moods else None
    return HistorySummary(
        checkins=len(moods),
        days=days,
        average=average,
        top_emotions=sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
    )


def history_text(summary: HistorySummary, streak: Streak, vocabulary: EmotionVocabulary) -> str:
    lines = [f"**Your last {summary.days} days**"]
    if summary.average is None:
        lines.append("No check-ins in this period yet. Whenever you're ready, `/checkin now`.")
    else:
        rounded = max(1, min(5, round(summary.average)))
        if summary.checkins == 1:
            # No chart for a single point (the cog sends none): say it in words instead.
            lines.append(
                f"One check-in so far: {mood_words(rounded)}. "
                "Your chart starts once there are two to draw a line between."
            )
        else:
            lines.append(
                f"{summary.checkins} check-ins, average mood {summary.average:.1f} ({mood_words(rounded)})."
            )
        if summary.top_emotions:
            named = ", ".join(
                f"{label} ({count})"
                for label, count in zip(
                    emotion_labels([v for v, _ in summary.top_emotions], vocabulary),
                    [c for _, c in summary.top_emotions],
                    strict=True,
                )
            )
            lines.append(f"Most named: {named}.")
    lines.append(streak_text(streak))
    return "\n".join(lines)


def history_points(
    rows: Sequence[tuple[date, int]], last: date, days: int
) -> list[tuple[date, float | None]]:
    """One point per day of the period, ``None`` on days without a check-in (for the chart)."""
    moods = dict(rows)
    first = last - timedelta(days=days - 1)
    return [(first + timedelta(days=i), _float(moods.get(first + timedelta(days=i)))) for i in range(days)]


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


# -- the group pulse ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PulseRow:
    """One shared-aggregate check-in: who (for the drop rule only), which day, mood, emotions."""

    user_id: int
    day: date
    mood: int
    emotions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pulse:
    days: list[date]
    counts: list[int]
    avg_mood: list[float | None]
    top_emotions: list[tuple[str, int]]
    dropped: int
    dropped_named: list[int]


def mood_drop(rows: Iterable[PulseRow], today: date) -> float | None:
    """Previous 7-day average minus the last 7-day average (positive = lower mood lately).

    The last window is ``today-6 .. today``, the previous ``today-13 .. today-7``. ``None``
    when either window has no check-in: no trend can be claimed from nothing.
    """
    recent_start = today - timedelta(days=DROP_WINDOW_DAYS - 1)
    previous_start = recent_start - timedelta(days=DROP_WINDOW_DAYS)
    recent = [r.mood for r in rows if recent_start <= r.day <= today]
    previous = [r.mood for r in rows if previous_start <= r.day < recent_start] if recent else []
    if not recent or not previous:
        return None
    return sum(previous) / len(previous) - sum(recent) / len(recent)


def compute_pulse(
    rows: Sequence[PulseRow], today: date, days: int, followup_ids: Iterable[int], top: int = 5
) -> Pulse:
    """Aggregate the group's shared check-ins over the ``days`` ending ``today``.

    ``rows`` must already be limited to members who share at least aggregates (and cover the
    last 14 days for the drop rule). Members whose mood dropped by :data:`DROP_POINTS` or more
    are counted; their ids are returned only if they are in ``followup_ids``.
    """
    first = today - timedelta(days=days - 1)
    period = [first + timedelta(days=i) for i in range(days)]
    by_day: dict[date, list[int]] = {d: [] for d in period}
    emotions: Counter[str] = Counter()
    by_member: dict[int, list[PulseRow]] = {}
    for row in rows:
        by_member.setdefault(row.user_id, []).append(row)
        if first <= row.day <= today:
            by_day[row.day].append(row.mood)
            emotions.update(row.emotions)
    followup = set(followup_ids)
    dropped_ids = sorted(
        uid
        for uid, member_rows in by_member.items()
        if (drop := mood_drop(member_rows, today)) is not None and drop >= DROP_POINTS
    )
    return Pulse(
        days=period,
        counts=[len(by_day[d]) for d in period],
        avg_mood=[sum(by_day[d]) / len(by_day[d]) if by_day[d] else None for d in period],
        top_emotions=sorted(emotions.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
        dropped=len(dropped_ids),
        dropped_named=[uid for uid in dropped_ids if uid in followup],
    )


# -- the weekly recap -----------------------------------------------------------------------------


def recap_week(last: date) -> tuple[date, date]:
    """The seven local days a recap sent on ``last`` covers: ``last - 6`` to ``last``."""
    return last - timedelta(days=6), last


def recap_text(
    last: date,
    moods: Sequence[tuple[date, int, Sequence[str]]],
    skills: Sequence[tuple[str, int]],
    streak: Streak,
    vocabulary: EmotionVocabulary,
    group_name: str | None = None,
) -> str | None:
    """The weekly recap DM, or ``None`` for a week without check-ins (no recap is sent then).

    ``moods`` are ``(day, mood, emotions)`` rows of the week; ``skills`` are ``(title, times)``.
    Notes are not an input, so they cannot appear.
    """
    first, last = recap_week(last)
    week = sorted((d, m, e) for d, m, e in moods if first <= d <= last)
    if not week:
        return None
    where = f" in {group_name}" if group_name else ""
    lines = [f"🗓️ **Your week{where}**, {short_date(first)} to {short_date(last)}"]
    lines += [f"{day:%a} {day.day}: {mood_words(mood)}" for day, mood, _ in week]
    summary = summarize_history(week, 7, top=RECAP_TOP_EMOTIONS)
    assert summary.average is not None
    rounded = max(1, min(5, round(summary.average)))
    lines.append(
        f"Average mood **{summary.average:.1f}** ({mood_words(rounded)}), "
        f"{summary.checkins} of 7 days checked in."
    )
    if summary.top_emotions:
        labels = emotion_labels([v for v, _ in summary.top_emotions], vocabulary)
        named = ", ".join(f"{lab} ({n})" for lab, (_, n) in zip(labels, summary.top_emotions, strict=True))
        lines.append(f"Feelings you named most: {named}.")
    if skills:
        shown = [title if n == 1 else f"{title} ({n}×)" for title, n in skills[:RECAP_MAX_SKILLS]]
        if len(skills) > RECAP_MAX_SKILLS:
            shown.append(f"and {len(skills) - RECAP_MAX_SKILLS} more")
        lines.append(f"Skills you practised: {', '.join(shown)}.")
    lines.append(streak_text(streak))
    lines.append(
        "-# Only you see this; your notes are never included. Change the day or stop: `/checkin recap`."
    )
    return "\n".join(lines)
