"""Streaks that forgive: worked examples for each rule, then properties over random histories."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checkins.streaks import MILESTONES, Streak, compute_streak, new_milestone

TODAY = date(2025, 3, 31)


def days_ago(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=o) for o in offsets]


def test_no_checkins_is_zero() -> None:
    assert compute_streak([], TODAY) == Streak(current=0, best=0)


def test_consecutive_days_count_each_day() -> None:
    result = compute_streak(days_ago(*range(10)), TODAY)
    assert (result.current, result.best) == (10, 10)
    assert result.forgiven_days == ()


def test_today_not_yet_checked_in_does_not_break() -> None:
    # Checked in every day up to yesterday; today is not over.
    assert compute_streak(days_ago(*range(1, 6)), TODAY).current == 5


def test_one_missed_day_is_forgiven_and_does_not_count() -> None:
    # Day 3 ago missed: the streak carries on, and the missed day adds nothing.
    result = compute_streak(days_ago(0, 1, 2, 4, 5, 6), TODAY)
    assert result.current == 6
    assert result.forgiven_days == tuple(days_ago(3))


def test_yesterday_missed_today_pending_still_alive() -> None:
    assert compute_streak(days_ago(2, 3, 4), TODAY).current == 3


def test_two_missed_days_in_a_row_break() -> None:
    result = compute_streak(days_ago(3, 4, 5), TODAY)
    assert result.current == 0
    assert result.best == 3


def test_two_misses_within_seven_days_break_even_with_checkins_between() -> None:
    # Misses at 6 and 1 days ago are 5 days apart: the streak restarts after the first miss.
    result = compute_streak(days_ago(0, 2, 3, 4, 5, 7, 8, 9, 10), TODAY)
    assert result.current == 5  # days 5..2 ago and today
    assert result.best == 8  # days 10..2 ago, with 6 ago forgiven


def test_misses_exactly_seven_days_apart_are_both_forgiven() -> None:
    checked = [d for d in days_ago(*range(15)) if d not in days_ago(2, 9)]
    assert compute_streak(checked, TODAY).current == 13


def test_misses_six_days_apart_break() -> None:
    checked = [d for d in days_ago(*range(15)) if d not in days_ago(2, 8)]
    result = compute_streak(checked, TODAY)
    assert result.current == 7  # days 7..0 ago minus the miss 2 ago
    assert result.best == 11  # days 14..3 ago minus the miss 8 ago


def test_pause_neither_counts_nor_breaks() -> None:
    # Checked in 20..11 days ago, paused 10..1 days ago, checked in today.
    pause = (TODAY - timedelta(days=10), TODAY - timedelta(days=1))
    result = compute_streak(days_ago(0, *range(11, 21)), TODAY, [pause])
    assert result.current == 11
    assert compute_streak(days_ago(0, *range(11, 21)), TODAY).current == 1  # without the pause


def test_checkin_during_pause_still_counts() -> None:
    pause = (TODAY - timedelta(days=5), TODAY)
    assert compute_streak(days_ago(0, 3, 6, 7), TODAY, [pause]).current == 4


def test_pause_until_far_future_is_cheap_and_harmless() -> None:
    pause = (TODAY - timedelta(days=3), date(2099, 1, 1))
    assert compute_streak(days_ago(4, 5, 6), TODAY, [pause]).current == 3


def test_inverted_pause_range_is_ignored() -> None:
    pause = (TODAY, TODAY - timedelta(days=5))
    assert compute_streak(days_ago(4, 5), TODAY, [pause]).current == 0


def test_future_and_duplicate_days_are_ignored() -> None:
    checked = [*days_ago(0, 0, 1), TODAY + timedelta(days=1)]
    assert compute_streak(checked, TODAY) == Streak(current=2, best=2)


def test_milestones() -> None:
    assert new_milestone(2, 3) == 3
    assert new_milestone(3, 4) is None
    assert new_milestone(6, 7) == 7
    assert new_milestone(5, 15) == 14  # a jump reports the highest crossed
    assert new_milestone(100, 101) is None
    assert new_milestone(99, 100) == 100
    assert new_milestone(10, 2) is None
    assert [new_milestone(m - 1, m) for m in MILESTONES] == list(MILESTONES)


# ---- properties -------------------------------------------------------------------------

HORIZON = 60
offsets = st.sets(st.integers(min_value=0, max_value=HORIZON), max_size=HORIZON)
pause_ranges = st.lists(
    st.tuples(st.integers(0, HORIZON), st.integers(0, 10)).map(
        lambda t: (TODAY - timedelta(days=t[0]), TODAY - timedelta(days=t[0]) + timedelta(days=t[1]))
    ),
    max_size=3,
)


def to_days(offs: set[int]) -> list[date]:
    return days_ago(*offs)


@settings(max_examples=200, deadline=None)
@given(offsets, pause_ranges, st.integers(0, HORIZON))
def test_adding_a_checkin_never_lowers_a_streak(
    offs: set[int], pauses: list[tuple[date, date]], extra: int
) -> None:
    before = compute_streak(to_days(offs), TODAY, pauses)
    after = compute_streak(to_days(offs | {extra}), TODAY, pauses)
    assert after.current >= before.current
    assert after.best >= before.best


@settings(max_examples=200, deadline=None)
@given(offsets, pause_ranges, pause_ranges)
def test_pauses_never_lower_a_streak(
    offs: set[int], pauses: list[tuple[date, date]], more: list[tuple[date, date]]
) -> None:
    before = compute_streak(to_days(offs), TODAY, pauses)
    after = compute_streak(to_days(offs), TODAY, pauses + more)
    assert after.current >= before.current
    assert after.best >= before.best


@settings(max_examples=200, deadline=None)
@given(offsets, pause_ranges)
def test_streak_bounded_by_checkins_and_best_at_least_current(
    offs: set[int], pauses: list[tuple[date, date]]
) -> None:
    result = compute_streak(to_days(offs), TODAY, pauses)
    assert 0 <= result.current <= result.best <= len(offs)


@settings(max_examples=200, deadline=None)
@given(offsets, st.integers(1, HORIZON - 1), st.integers(1, 6))
def test_two_misses_within_seven_days_cut_the_current_streak(offs: set[int], first: int, gap: int) -> None:
    # Force misses at `first` and `first - gap` days ago (both before today, no pause):
    # the current streak may only hold check-ins made after the earlier miss.
    second = first - gap
    if second < 1:
        return
    offs = (offs | {HORIZON}) - {first, second}
    result = compute_streak(to_days(offs), TODAY)
    assert result.current <= sum(1 for o in offs if o < first)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, HORIZON))
def test_one_isolated_miss_never_breaks(miss: int) -> None:
    # Every day checked in except one: the current streak is every check-in.
    days = set(range(HORIZON + 1)) - {miss}
    assert compute_streak(to_days(days), TODAY).current == len(days)


@settings(max_examples=200, deadline=None)
@given(offsets, pause_ranges)
def test_current_matches_a_day_by_day_reference(offs: set[int], pauses: list[tuple[date, date]]) -> None:
    # A slow, obviously-correct reference: try every start day, keep the longest valid run to today.
    checked = to_days(offs)
    checked_set = set(checked)
    paused = {d for a, b in pauses for d in (a + timedelta(days=i) for i in range((b - a).days + 1))}
    best_current = 0
    for start in sorted(checked):
        span = [start + timedelta(days=i) for i in range((TODAY - start).days)]  # start .. yesterday
        misses = [d for d in span if d not in checked_set and d not in paused]
        if all((b - a).days > 6 for a, b in pairwise(misses)):
            best_current = max(best_current, sum(1 for d in checked if d >= start))
    assert compute_streak(checked, TODAY, pauses).current == best_current
