"""Pure schedule rules: local times across DST, in two zones, never twice, never skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule_rules import Rule, local_instant, next_occurrence, occurrences

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "start", "days"),
    [
        (LONDON, date(2026, 3, 26), 6),  # spring forward: Sunday 29 March 2026
        (LONDON, date(2026, 10, 22), 6),  # fall back: Sunday 25 October 2026
        (NEW_YORK, date(2026, 3, 5), 6),  # spring forward: Sunday 8 March 2026
        (NEW_YORK, date(2026, 10, 29), 6),  # fall back: Sunday 1 November 2026
    ],
)
def test_daily_nine_am_fires_at_nine_local_once_a_day_across_dst(zone, start, days):
    rule = Rule.daily(time(9, 0), zone)
    after = datetime.combine(start, time(0, 0), tzinfo=zone)
    fired = list(occurrences(rule, after, after + timedelta(days=days)))
    local = [f.astimezone(zone) for f in fired]
    assert [d.date() for d in local] == [start + timedelta(days=i) for i in range(days)]
    assert all(d.time() == time(9, 0) for d in local)


def test_utc_offset_changes_across_the_london_spring_change():
    rule = Rule.daily(time(9, 0), LONDON)
    fired = list(occurrences(rule, utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)))
    assert fired == [utc(2026, 3, 28, 9), utc(2026, 3, 29, 8)]


def test_time_in_the_spring_gap_fires_once_after_the_gap():
    rule = Rule.daily(time(1, 30), LONDON)  # 01:00-02:00 does not exist on 29 March 2026
    fired = list(occurrences(rule, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)))
    assert len(fired) == 1
    assert fired[0].astimezone(LONDON).time() == time(2, 30)


def test_time_in_the_autumn_overlap_fires_once_at_the_first():
    rule = Rule.daily(time(1, 30), LONDON)  # 01:00-02:00 happens twice on 25 October 2026
    fired = list(occurrences(rule, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)))
    assert fired == [utc(2026, 10, 25, 0, 30)]  # 01:30 BST, not 01:30 GMT


def test_weekly_every_two_weeks_uses_the_anchor_week():
    rule = Rule.weekly({0, 3}, time(18, 30), LONDON, every_weeks=2, anchor=date(2026, 11, 23))
    fired = list(occurrences(rule, utc(2026, 11, 22), utc(2026, 12, 20)))
    days = [f.astimezone(LONDON).date() for f in fired]
    assert days == [date(2026, 11, 23), date(2026, 11, 26), date(2026, 12, 7), date(2026, 12, 10)]


def test_once_fires_only_inside_the_window():
    at = utc(2026, 12, 1, 10)
    rule = Rule.once(at, LONDON)
    assert list(occurrences(rule, utc(2026, 11, 30), utc(2026, 12, 2))) == [at]
    assert list(occurrences(rule, at, utc(2026, 12, 2))) == []
    assert next_occurrence(rule, at) is None


def test_rules_refuse_nonsense():
    with pytest.raises(ValueError, match="weekday"):
        Rule.weekly(set(), time(9), LONDON)
    with pytest.raises(ValueError, match="every_weeks"):
        Rule.weekly({1}, time(9), LONDON, every_weeks=0)
    with pytest.raises(ValueError, match="aware"):
        Rule("once", LONDON, at=datetime(2026, 1, 1))


ZONES = st.sampled_from(
    ["Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Auckland", "Asia/Kolkata", "UTC"]
)


@settings(max_examples=60, deadline=None)
@given(
    zone=ZONES,
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
)
def test_daily_fires_exactly_once_per_local_day_for_a_year(zone, hour, minute, start):
    tz = ZoneInfo(zone)
    rule = Rule.daily(time(hour, minute), tz)
    after = datetime.combine(start, time(0, 0), tzinfo=tz).astimezone(UTC) - timedelta(seconds=1)
    fired = list(occurrences(rule, after, after + timedelta(days=366)))
    # One per local day, in order, each at the wall time or just after a gap.
    local_days = [f.astimezone(tz).date() for f in fired]
    assert len(local_days) == len(set(local_days))
    assert fired == sorted(fired)
    first, last = local_days[0], local_days[-1]
    assert local_days == [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert len(fired) >= 365
    for instant in fired:
        wall = instant.astimezone(tz)
        expected = local_instant(wall.date(), time(hour, minute), tz)
        assert instant == expected


@settings(max_examples=60, deadline=None)
@given(
    zone=ZONES,
    hour=st.integers(0, 23),
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_occurrence_is_the_first_occurrence_after(zone, hour, moment):
    rule = Rule.daily(time(hour, 0), ZoneInfo(zone))
    nxt = next_occurrence(rule, moment)
    assert nxt is not None and nxt > moment
    assert list(occurrences(rule, moment, nxt - timedelta(seconds=1))) == []
    assert nxt - moment <= timedelta(hours=26)
