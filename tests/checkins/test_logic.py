"""Pure check-in logic: local days, words, summaries and the pulse drop rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.checkins.logic import (
    DROP_POINTS,
    PulseRow,
    card_text,
    clean_emotions,
    common_words,
    compute_pulse,
    history_points,
    local_day,
    mood_drop,
    summarize_history,
)
from bot.core.content import load_content

VOCAB = load_content(Path(__file__).resolve().parents[2] / "content").emotions
TODAY = date(2026, 11, 23)


def test_local_day_is_the_members_calendar_day():
    instant = datetime(2026, 11, 23, 15, 1, tzinfo=UTC)
    assert local_day(instant, "Asia/Tokyo") == date(2026, 11, 24)
    assert local_day(instant, "America/Los_Angeles") == date(2026, 11, 23)
    with pytest.raises(ValueError):
        local_day(datetime(2026, 11, 23), "UTC")


def test_common_words_fit_one_select_and_cover_every_family():
    words = common_words(VOCAB)
    assert len(words) == 25
    assert len({w.value for w in words}) == 25
    families = {VOCAB.family_of(w.value).id for w in words}
    assert families == {f.id for f in VOCAB.families}


def test_clean_emotions_keeps_known_words_once_up_to_three():
    assert clean_emotions(["happy", "nope", "happy", "calm", "sad", "tired"], VOCAB) == (
        "happy",
        "calm",
        "sad",
    )


def test_card_never_has_more_than_name_mood_and_words():
    text = card_text("Ana", 1, ("sad",), VOCAB)
    assert text == "**Ana** checked in: 😞 Very low\nFeeling: Sad"


def test_history_summary_and_points():
    rows = [(TODAY, 4, ("calm",)), (TODAY - timedelta(days=2), 2, ("calm", "sad"))]
    summary = summarize_history(rows, 7)
    assert summary.average == 3.0 and summary.top_emotions == [("calm", 2), ("sad", 1)]
    points = history_points([(d, m) for d, m, _ in rows], TODAY, 7)
    assert len(points) == 7 and points[-1] == (TODAY, 4.0) and points[-2] == (TODAY - timedelta(days=1), None)


def _rows(uid, previous, recent):
    out = [PulseRow(uid, TODAY - timedelta(days=13 - i), m, ()) for i, m in enumerate(previous)]
    out += [PulseRow(uid, TODAY - timedelta(days=6 - i), m, ("sad",)) for i, m in enumerate(recent)]
    return out


def test_drop_rule_counts_and_names_only_with_followup():
    dropped_named = _rows(1, [5] * 7, [3] * 7)  # drop 2.0
    dropped_quiet = _rows(2, [4] * 7, [2, 3, 2, 3, 2, 3, 2])  # drop 1.57
    steady = _rows(3, [4] * 7, [3] * 7)  # drop 1.0
    pulse = compute_pulse(dropped_named + dropped_quiet + steady, TODAY, 7, followup_ids=[1, 3])
    assert pulse.dropped == 2
    assert pulse.dropped_named == [1]
    assert pulse.counts == [3] * 7
    assert pulse.top_emotions == [("sad", 21)]


def test_no_trend_from_an_empty_week():
    assert mood_drop(_rows(1, [], [1, 1]), TODAY) is None
    assert mood_drop(_rows(1, [5, 5], []), TODAY) is None


moods = st.lists(st.integers(1, 5), min_size=1, max_size=7)


@given(previous=moods, recent=moods)
def test_drop_is_the_difference_of_the_two_weekly_averages(previous, recent):
    drop = mood_drop(_rows(1, previous, recent), TODAY)
    expected = sum(previous) / len(previous) - sum(recent) / len(recent)
    assert drop == pytest.approx(expected)
    pulse = compute_pulse(_rows(1, previous, recent), TODAY, 14, followup_ids=[])
    assert pulse.dropped == (1 if expected >= DROP_POINTS else 0)
    assert pulse.dropped_named == []
