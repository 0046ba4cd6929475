"""Words people read: plurals that agree with the count, and one calendar-date style."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.checkins.logic import recap_text
from bot.checkins.streaks import Streak
from bot.core.content import load_content
from bot.core.wording import long_date, plural, short_date
from bot.crisis.reply import resources_message
from bot.crisis.resources import resources_for

CONTENT = Path(__file__).resolve().parents[1] / "content"


@pytest.mark.parametrize(
    ("count", "words"), [(0, "0 pairs"), (1, "1 pair"), (2, "2 pairs"), (11, "11 pairs")]
)
def test_plural_agrees_with_the_count(count: int, words: str) -> None:
    assert plural(count, "pair") == words


def test_plural_takes_an_irregular_form() -> None:
    assert plural(1, "member is", "members are") == "1 member is"
    assert plural(3, "member is", "members are") == "3 members are"


def test_dates_have_no_leading_zero() -> None:
    day = date(2026, 12, 2)
    assert long_date(day) == "Wednesday 2 December"
    assert long_date(day, year=True) == "Wednesday 2 December 2026"
    assert long_date(day, year=True, weekday=False) == "2 December 2026"
    assert short_date(day) == "Wed 2 Dec"


def test_the_weekly_recap_writes_early_days_without_a_leading_zero() -> None:
    vocabulary = load_content(CONTENT).emotions
    text = recap_text(date(2026, 12, 6), [(date(2026, 12, 1), 4, ())], [], Streak(1, 1), vocabulary)
    assert text is not None
    assert "Mon 30 Nov to Sun 6 Dec" in text
    assert "Tue 1: " in text and " 01" not in text and " 06" not in text


def test_resources_say_when_numbers_were_checked_in_words() -> None:
    text = resources_message(resources_for("GB"))
    assert "Numbers checked 21 November 2026." in text
