"""When a schedule fires: pure functions of a rule and an instant, correct across DST.

A rule says "daily at 09:00", "weekly on Monday and Thursday at 18:30, every 2 weeks" or "once
at this instant", in a named IANA zone. Occurrences are computed from local calendar dates, so
a daily 09:00 fires at 09:00 local on both sides of a DST change, once per local day. Two edge
cases, decided deliberately:

- a local time that does not exist (the spring-forward gap, e.g. 01:30 in London on the last
  Sunday of March) fires at the same offset from before the change, i.e. moved forward by the
  gap (02:30 local): late that day rather than never;
- a local time that happens twice (the fall-back overlap) fires at the first of the two.

This is also why APScheduler's CronTrigger is not used (its DST handling has skipped days:
APScheduler issue #606): APScheduler is only the alarm clock, woken at the next instant
computed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

RuleKind = Literal["daily", "weekly", "once"]

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# How far ahead to look for the next occurrence: every_weeks is capped at 52.
_MAX_LOOKAHEAD_DAYS = 7 * 53


@dataclass(frozen=True, slots=True)
class Rule:
    """A recurrence in a timezone. Build with :meth:`daily`, :meth:`weekly` or :meth:`once`."""

    kind: RuleKind
    tz: ZoneInfo
    local_time: time | None = None
    weekdays: frozenset[int] = field(default_factory=frozenset)
    every_weeks: int = 1
    anchor: date | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind in ("daily", "weekly") and self.local_time is None:
            raise ValueError(f"a {self.kind} rule needs a local time")
        if self.kind == "weekly" and not self.weekdays:
            raise ValueError("a weekly rule needs at least one weekday")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if not 1 <= self.every_weeks <= 52:
            raise ValueError("every_weeks must be between 1 and 52")
        if self.kind == "once" and (self.at is None or self.at.tzinfo is None):
            raise ValueError("a one-off rule needs an aware instant")

    @classmethod
    def daily(cls, local_time: time, tz: ZoneInfo) -> Rule:
        return cls("daily", tz, local_time=local_time)

    @classmethod
    def weekly(
        cls,
        weekdays: frozenset[int] | set[int],
        local_time: time,
        tz: ZoneInfo,
        *,
        every_weeks: int = 1,
        anchor: date | None = None,
    ) -> Rule:
        return cls(
            "weekly",
            tz,
            local_time=local_time,
            weekdays=frozenset(weekdays),
            every_weeks=every_weeks,
            anchor=anchor,
        )

    @classmethod
    def once(cls, at: datetime, tz: ZoneInfo) -> Rule:
        return cls("once", tz, at=at.astimezone(UTC))

    def describe(self) -> str:
        """Plain words for people: "daily at 09:00 (Europe/London)"."""
        zone = self.tz.key
        if self.kind == "once":
            assert self.at is not None
            return f"once at <t:{int(self.at.timestamp())}:F>"
        assert self.local_time is not None
        at = self.local_time.strftime("%H:%M")
        if self.kind == "daily":
            return f"daily at {at} ({zone})"
        days = ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(self.weekdays))
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        return f"{every} on {days} at {at} ({zone})"


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time, with the gap and overlap rules above.

    ``fold=0`` makes zoneinfo use the offset in force before a transition: for an ambiguous
    time that is the first occurrence, and for a non-existent one it lands past the gap.
    """
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _fires_on(rule: Rule, day: date) -> bool:
    if rule.kind == "daily":
        return True
    if day.weekday() not in rule.weekdays:
        return False
    if rule.every_weeks == 1:
        return True
    anchor = rule.anchor or day
    weeks = (_monday(day) - _monday(anchor)).days // 7
    return weeks % rule.every_weeks == 0


def occurrences(rule: Rule, after: datetime, until: datetime) -> Iterator[datetime]:
    """Every occurrence in ``(after, until]``, in order, as UTC instants."""
    if rule.kind == "once":
        assert rule.at is not None
        if after < rule.at <= until:
            yield rule.at
        return
    assert rule.local_time is not None
    # Start a day early: a local date's instant can fall on the previous UTC date.
    day = after.astimezone(rule.tz).date() - timedelta(days=1)
    last = until.astimezone(rule.tz).date() + timedelta(days=1)
    while day <= last:
        if _fires_on(rule, day):
            instant = local_instant(day, rule.local_time, rule.tz)
            if after < instant <= until:
                yield instant
        day += timedelta(days=1)


def next_occurrence(rule: Rule, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after``, or None if the rule never fires again."""
    if rule.kind == "once":
        assert rule.at is not None
        return rule.at if rule.at > after else None
    horizon = after + timedelta(days=_MAX_LOOKAHEAD_DAYS)
    return next(occurrences(rule, after, horizon), None)
