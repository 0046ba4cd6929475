"""The weekly recap text (pure) and its storage: week bounds, no notes, the week's practice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.checkins.logic import MOODS, RECAP_MAX_SKILLS, recap_text, recap_week
from bot.checkins.store import CheckinRepository
from bot.checkins.streaks import Streak
from bot.core.content import load_content
from bot.core.crypto import install_ephemeral
from bot.db import SqliteDatabase
from bot.skills.store import SkillRepository

VOCAB = load_content(Path(__file__).resolve().parents[2] / "content").emotions
SUNDAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


def streak(current: int = 3, best: int = 5) -> Streak:
    return Streak(current=current, best=best)


def test_recap_week_is_the_seven_days_ending_on_the_recap_day():
    assert recap_week(SUNDAY) == (date(2026, 11, 23), SUNDAY)


def test_no_recap_for_a_week_without_checkins():
    old = [(SUNDAY - timedelta(days=7), 3, ("calm",))]  # the week before does not count
    assert recap_text(SUNDAY, old, [("Box breathing", 1)], streak(), VOCAB) is None


def test_recap_lists_days_average_feelings_skills_and_streak():
    rows = [(date(2026, 11, 23), 2, ("sad", "calm")), (date(2026, 11, 25), 4, ("calm",))]
    text = recap_text(
        SUNDAY, rows, [("Listen to understand", 2), ("Make a repair", 1)], streak(), VOCAB, "Group"
    )
    assert text is not None
    assert text.startswith("🗓️ **Your week in Group**, Mon 23 Nov to Sun 29 Nov")
    assert "Mon 23: 🙁 Low\nWed 25: 🙂 Good" in text
    assert "Average mood **3.0** (😐 Okay), 2 of 7 days checked in." in text
    assert "Calm (2), Sad (1)" in text
    assert "Listen to understand (2×), Make a repair." in text
    assert "Streak: **3** days (best 5)." in text


def test_many_skills_are_summarised():
    skills = [(f"Skill {i}", 1) for i in range(RECAP_MAX_SKILLS + 4)]
    text = recap_text(SUNDAY, [(SUNDAY, 3, ())], skills, streak(), VOCAB)
    assert text is not None and "and 4 more." in text and "Skill 9" not in text


@given(
    moods=st.dictionaries(
        st.integers(0, 13),
        st.tuples(st.sampled_from(sorted(MOODS)), st.lists(st.sampled_from(["calm", "sad"]), max_size=3)),
        max_size=14,
    )
)
def test_recap_fits_a_message_and_shows_only_this_weeks_days(moods):
    rows = [(SUNDAY - timedelta(days=offset), mood, tuple(words)) for offset, (mood, words) in moods.items()]
    text = recap_text(SUNDAY, rows, [("A skill with a long title " * 3, 9)] * 30, streak(), VOCAB, "G" * 100)
    in_week = {d for d, _, _ in rows if d >= SUNDAY - timedelta(days=6)}
    if not in_week:
        assert text is None
        return
    assert text is not None and len(text) <= 2000
    shown = sum(1 for line in text.splitlines() if any(line.startswith(f"{d:%a %d}:") for d in in_week))
    assert shown == len(in_week)


@pytest.fixture
async def repo(tmp_path):
    db = SqliteDatabase(tmp_path / "recap.db")
    await db.connect()
    await db.migrate()
    install_ephemeral(db, str(tmp_path / "recap.db"))
    yield CheckinRepository(db)
    await db.close()


async def test_week_moods_never_read_the_note(repo):
    await repo.put(1, 10, SUNDAY, mood=3, emotions=("calm",), note="private words", shared=False, now=NOW)
    (row,) = await repo.week_moods(1, 10, date(2026, 11, 23), SUNDAY)
    assert (row.day, row.mood, row.emotions, row.note) == (SUNDAY, 3, ("calm",), None)


async def test_recap_setting_and_one_claim_per_day(repo):
    await repo.set_recap(1, 10, 6, NOW)
    await repo.set_recap(1, 10, 2, NOW)
    recap = await repo.get_recap(1, 10)
    assert recap is not None and recap.weekday == 2 and recap.last_sent_day is None
    assert await repo.claim_recap_day(1, 10, SUNDAY)
    assert not await repo.claim_recap_day(1, 10, SUNDAY)
    assert await repo.claim_recap_day(1, 10, SUNDAY + timedelta(days=7))
    assert [r.user_id for r in await repo.recaps(1)] == [10]
    assert await repo.delete_recap(1, 10)
    assert await repo.get_recap(1, 10) is None


async def test_the_skills_store_counts_the_weeks_practice_for_the_recap(repo):
    # What the cog hands the recap: the skills feature answers from its own table.
    skills = SkillRepository(repo.db)
    for skill, day in [("a", 23), ("a", 24), ("b", 29), ("c", 22)]:
        await skills.log_practice(1, 10, skill, date(2026, 11, day), None, NOW)
    await skills.log_practice(2, 10, "a", date(2026, 11, 25), None, NOW)  # another group
    assert await skills.practice_counts(1, 10, date(2026, 11, 23), SUNDAY) == [("a", 2), ("b", 1)]
    assert await skills.practice_counts(1, 11, date(2026, 11, 23), SUNDAY) == []
