"""The offline demo reads as a clean story: the transcript a newcomer sees from ``make run``.

The whole demo is played once, in-process (``run_demo`` into a buffer), and the text is read the
way a person would read it: no "(s)", no "in 0 hours", the agreement once, no bare ISO dates.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.demo import run_demo
from bot.demo.stage import AGREEMENT_AGAIN, relative, render

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SHORT_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


@pytest.fixture(scope="module")
def transcript() -> str:
    out = io.StringIO()
    assert asyncio.run(run_demo(out)) == 0
    return out.getvalue()


def outside_code(text: str) -> str:
    """What is read as words: code spans (an example of what to type, like `2026-12-31`) removed."""
    return re.sub(r"`[^`\n]*`", "", text)


def test_the_demo_plays_to_the_end(transcript: str) -> None:
    assert transcript.startswith("Resilience Bot — offline demo")
    assert "End of the demo" in transcript


def test_no_maybe_plurals(transcript: str) -> None:
    assert re.findall(r".{0,30}\w\(s\).{0,10}", transcript) == []


def test_relative_times_are_words_not_zero_hours(transcript: str) -> None:
    assert re.findall(r".{0,40}\b(?:in 0 \w+|0 \w+ ago)\b", transcript) == []


def test_the_agreement_is_shown_once_then_referred_to(transcript: str) -> None:
    assert transcript.count("Our group agreement") == 1
    assert transcript.count("What's said here stays here.") == 1
    assert transcript.count(AGREEMENT_AGAIN) >= 1


def test_the_agreement_keeps_its_list_inside_the_quote(transcript: str) -> None:
    lines = transcript.splitlines()
    heading = next(i for i, line in enumerate(lines) if "What the bot stores about you" in line)
    assert lines[heading].strip() == "┃ **What the bot stores about you**"
    assert lines[heading + 1].strip().startswith("┃ - Your check-ins")
    stored = lines[heading + 1 : heading + 7]
    assert all(line.strip().startswith("┃") for line in stored), stored


def test_no_bare_iso_dates(transcript: str) -> None:
    assert re.findall(r".{0,40}(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w-]).{0,10}", outside_code(transcript)) == []


def test_dates_have_no_leading_zero(transcript: str) -> None:
    pattern = rf".{{0,30}}\b0\d (?:{MONTHS}|{SHORT_MONTHS})\b"
    assert re.findall(pattern, transcript) == []


def test_skill_cards_show_members_no_internal_words(transcript: str) -> None:
    assert "id: " not in transcript
    assert "high expectations ·" not in transcript and "caring and support ·" not in transcript
    # The toolkit names a saved skill by its title only.
    assert "┃ - **Kind words for yourself**: practised once" in transcript


def test_a_thread_notice_is_not_printed_as_a_post(transcript: str) -> None:
    assert "(Resilience Bot started a thread: “Who is someone" in transcript
    # The prompt's text is posted once, in its card; the thread is named by its first sentence.
    assert transcript.count("What do they do that helps?") == 1


def test_no_session_before_the_first_is_invented(transcript: str) -> None:
    digest = transcript[transcript.index("**Before the session") :]
    assert "Since the last session" not in digest.split("\n\n", 1)[0]


def test_narration_says_only_what_happens(transcript: str) -> None:
    # Chloe agreed when she first checked in: logging a practice does not ask again.
    practised = transcript[transcript.index("Chloe tries it and presses I practised this") :]
    before_toolkit = practised[: practised.index("Chloe clicks “Save to my toolkit”")]
    assert "asks for" not in before_toolkit.splitlines()[0]
    assert "I agree" not in before_toolkit


# ---- the stage's rendering, on its own ------------------------------------------------------


NOW = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=-20), "just now"),
        (timedelta(minutes=40), "in 40 minutes"),
        (timedelta(minutes=-1), "a minute ago"),
        (timedelta(hours=3), "in 3 hours"),
        (timedelta(hours=-1), "an hour ago"),
        (timedelta(hours=24), "in a day"),
        (timedelta(days=-5), "5 days ago"),
    ],
)
def test_relative_times_read_as_discord_puts_them(delta: timedelta, words: str) -> None:
    assert relative(NOW + delta, NOW) == words


def test_a_multi_line_field_renders_under_its_name_inside_the_quote() -> None:
    embed = discord.Embed(title="T", description="Body")
    embed.add_field(name="What we keep", value="- one\n- two\n\nNever: three", inline=False)
    embed.add_field(name="Time", value="5 minutes")
    text = render("", [embed], [], [("chart.png", "Line chart of your mood")])
    assert text.splitlines() == [
        "┃ **T**",
        "┃ Body",
        "┃ **What we keep**",
        "┃ - one",
        "┃ - two",
        "┃",
        "┃ Never: three",
        "┃ Time: 5 minutes",
        "[file: chart.png, alt text: “Line chart of your mood”]",
    ]


def test_the_crisis_story_follows_through_to_the_check_in_and_its_answer(transcript: str) -> None:
    check_in = transcript.index("checking in after yesterday. How are you today?")
    answered = transcript.index("clicks “I'm OK” (in a DM)")
    assert transcript.index("A hard moment, answered privately") < check_in < answered
    assert "**Your answer:** Thank you for letting me know" in transcript[answered:]
