"""followup_at: halfway by default, the chosen day otherwise, never in the round's last half-day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.pairs.logic import followup_at

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_default_is_halfway() -> None:
    assert followup_at(START, START + timedelta(weeks=1)) == datetime(2026, 11, 26, 19, 0, tzinfo=UTC)


def test_a_chosen_day() -> None:
    assert followup_at(START, START + timedelta(weeks=1), 2) == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


@given(weeks=st.sampled_from([1, 2, 4]), day=st.integers(min_value=1, max_value=27))
def test_always_inside_the_round(weeks: int, day: int) -> None:
    end = START + timedelta(weeks=weeks)
    at = followup_at(START, end, day)
    assert START < at <= end - timedelta(hours=12)
    assert at == min(START + timedelta(days=day), end - timedelta(hours=12))
