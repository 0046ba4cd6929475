"""Unit and property tests for bot.crisis.detect."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.problems import ContentInvalid
from bot.crisis.detect import (
    SHIPPED_CONTENT,
    Detector,
    Verdict,
    detect,
    normalise,
    shipped_rules,
    validate_phrases,
)

ISSUE_EXAMPLES = [
    ("I'm going to kill myself tonight", "urgent"),
    ("I have the pills ready", "urgent"),
    ("this is my goodbye", "urgent"),
    ("I want to die", "concern"),
    ("everyone would be better off without me", "concern"),
    ("I've been cutting again", "concern"),
    ("what's the point of anything", "concern"),
    ("this homework is killing me", "none"),
    ("I'd kill for a coffee", "none"),
    ("I'm dying to see it", "none"),
    ("that joke killed me", "none"),
    ("dead tired", "none"),
]


@pytest.mark.parametrize(("text", "level"), ISSUE_EXAMPLES)
def test_issue_examples(text: str, level: str) -> None:
    assert detect(text).level == level


def test_verdict_is_frozen_and_names_signals() -> None:
    verdict = detect("I'm going to kill myself tonight")
    assert isinstance(verdict, Verdict)
    assert "intent" in verdict.signals
    with pytest.raises(AttributeError):
        verdict.level = "none"  # type: ignore[misc]
    assert detect("lovely weather") == Verdict("none", ())


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO DIE",
        "i want to die!!!",
        "I... want... to... die",
        "i wannnnnt to dieeeeee",
        "||I want to die||",
        "`I want to die`",
        "**I want to die**",
        "_i want to die_",
        "~~I want to die~~",
        "> I want to die",
        "I want to d\u200bie",
        "I\u200c want\u2060 to\ufeff die",
        "I wаnt to diе",  # Cyrillic а and е
        "Ｉ ｗａｎｔ ｔｏ ｄｉｅ",  # fullwidth
        "𝐈 𝐰𝐚𝐧𝐭 𝐭𝐨 𝐝𝐢𝐞",  # mathematical bold
        "I want to díe",
        "i w4nt to d1e",
    ],
)
def test_robust_spellings_of_ideation(text: str) -> None:
    assert detect(text).level == "concern", normalise(text)


@pytest.mark.parametrize(
    "text",
    ["kms", "k*ll myself", "k!ll myself", "unalive myself", "i want to unalive", "kill myslef", "s*icidal"],
)
def test_shorthand_and_censoring(text: str) -> None:
    assert detect(text).level != "none"


@pytest.mark.parametrize("text", ["30 💊", "💊 x40", "💊💊 x 25", "took 20 💊", "i have 50 pills"])
def test_pill_emoji_or_pills_next_to_a_count_is_urgent(text: str) -> None:
    verdict = detect(text)
    assert verdict.level == "urgent"
    assert "means" in verdict.signals


@pytest.mark.parametrize("text", ["💊", "took my 💊 this morning", "2 💊 a day", "forgot my meds 💊"])
def test_a_pill_emoji_alone_or_a_small_dose_is_nothing(text: str) -> None:
    assert detect(text).level == "none"


def test_means_words_turn_ideation_urgent() -> None:
    assert detect("I want to die").level == "concern"
    assert detect("I want to die, there's a bottle of tylenol here").level == "urgent"
    assert "means_mention" in detect("I want to die. I bought a rope").signals


def test_time_frame_turns_ideation_urgent() -> None:
    assert detect("I want to kill myself").level == "concern"
    assert detect("I want to kill myself tonight").level == "urgent"
    assert detect("I want to die right now").level == "urgent"


def test_negation_is_not_urgent_and_is_reported() -> None:
    verdict = detect("I'm not going to hurt myself")
    assert verdict.level == "none"
    assert any(s.startswith("negated:") for s in verdict.signals)
    assert detect("I would never kill myself").level == "none"
    assert detect("I don't want to die").level == "none"


def test_negation_does_not_hide_other_signals() -> None:
    assert detect("I'm not going to hurt myself but I want to die").level == "concern"
    assert detect("I'm not going to hurt myself, but I have the pills ready").level == "urgent"
    assert detect("I'm not okay. I'm going to kill myself tonight").level == "urgent"
    # A negation in an earlier clause does not reach a later one.
    assert detect("I don't know, I want to die").level == "concern"


@pytest.mark.parametrize(
    "text",
    [
        "he said he was going to kill himself",
        "my friend texted me that she's going to kill herself",
        "In the movie he says I'm going to kill myself",
        "She posted 'this is my goodbye' last night",
        "Police said the woman had the pills ready",
        "I was going to kill myself last year but I got help",
        "when I was a teen I took 30 pills",
    ],
)
def test_third_person_news_and_past_never_urgent(text: str) -> None:
    assert detect(text).level != "urgent"


def test_reported_context_is_named() -> None:
    verdict = detect("my friend said 'I'm going to kill myself'")
    assert verdict.level == "concern"
    assert "context:reported" in verdict.signals


def test_first_person_after_third_person_mention_stays_urgent() -> None:
    assert detect("my mom yells all the time and I'm going to kill myself").level == "urgent"


def test_long_message_finds_a_signal_anywhere() -> None:
    filler = "we talked about the garden and the weather and what to cook this week. " * 400
    assert detect(filler).level == "none"
    assert detect(filler + "I want to die").level == "concern"
    assert detect("I want to die. " + filler).level == "concern"
    assert detect(filler + "this is my goodbye " + filler).level == "urgent"


def test_empty_and_whitespace() -> None:
    assert detect("") == Verdict("none")
    assert detect("   \n\t") == Verdict("none")
    assert detect("\u200b\u200b") == Verdict("none")


# --- properties -------------------------------------------------------------------------

SAMPLES = [t for t, _ in ISSUE_EXAMPLES] + [
    "I'm not going to hurt myself",
    "he said he was going to kill himself",
    "30 💊",
    "I want to kill myself tonight",
    "nobody would even notice if I was gone",
    "good morning everyone!",
]
ZERO_WIDTH = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])


@settings(max_examples=200, deadline=None)
@given(text=st.sampled_from(SAMPLES), data=st.data())
def test_zero_width_characters_never_change_the_verdict(text: str, data: st.DataObject) -> None:
    chars = list(text)
    positions = data.draw(st.lists(st.integers(0, len(chars)), max_size=6))
    for pos in sorted(positions, reverse=True):
        chars.insert(pos, data.draw(ZERO_WIDTH))
    assert detect("".join(chars)) == detect(text)


@settings(max_examples=200, deadline=None)
@given(text=st.sampled_from(SAMPLES), flips=st.lists(st.booleans(), min_size=80, max_size=80))
def test_case_never_changes_the_verdict(text: str, flips: list[bool]) -> None:
    mixed = "".join(c.upper() if flips[i % len(flips)] else c.lower() for i, c in enumerate(text))
    assert detect(mixed) == detect(text)


@settings(max_examples=150, deadline=None)
@given(text=st.sampled_from([t for t in SAMPLES if any(c.isalpha() for c in t)]), data=st.data())
def test_stretching_letters_never_changes_the_verdict(text: str, data: st.DataObject) -> None:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    picks = data.draw(st.lists(st.sampled_from(letters), max_size=4, unique=True))
    stretched = "".join(c * 4 if i in picks else c for i, c in enumerate(text))
    assert detect(stretched) == detect(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_well_formed_verdict(text: str) -> None:
    verdict = detect(text)
    assert verdict.level in ("none", "concern", "urgent")
    quiet = all(
        s.startswith(("negated:", "context:", "overruled:")) or s == "model:none" for s in verdict.signals
    )
    assert (verdict.level == "none") == quiet


# --- the phrase data ----------------------------------------------------------------------


def test_shipped_phrases_validate() -> None:
    assert validate_phrases(SHIPPED_CONTENT / "crisis" / "phrases.toml") == []


def test_broken_phrase_file_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "phrases.toml"
    path.write_text(
        '[macros]\nx = ["a"]\n\n[[signal]]\nid = "Bad Id"\nlevel = "panic"\nphrases = ["{nope} b"]\n'
        '\n[[signal]]\nid = "ok"\nlevel = "modifier"\nescalates = ["ghost"]\nphrases = ["c"]\n',
        encoding="utf-8",
    )
    problems = validate_phrases(path)
    fields = {p.field for p in problems}
    assert {"signal[0].id", "signal[0].level", "signal[0].phrases[0]", "signal[1].escalates"} <= fields
    assert all(p.file == str(path) for p in problems)
    with pytest.raises(ContentInvalid):
        Detector.from_file(path)


def test_detector_from_custom_content(tmp_path: Path) -> None:
    (tmp_path / "crisis").mkdir()
    (tmp_path / "crisis" / "phrases.toml").write_text(
        '[[signal]]\nid = "word"\nlevel = "concern"\nphrases = ["blue|green? banana"]\n', encoding="utf-8"
    )
    detector = Detector.from_content(tmp_path)
    assert detector.detect("a BLUE banana!").signals == ("word",)
    assert detector.detect("a banana").level == "concern"
    assert detector.detect("a red apple").level == "none"
    assert detector.detect("not a banana").level == "none"


def test_cautious_rules_answer_a_negated_signal_standard_rules_do_not():
    text = "im not going to kill myself"
    assert shipped_rules().detect(text).level == "none"
    assert shipped_rules().detect(text, sensitivity="cautious").level == "concern"


@pytest.mark.parametrize(
    "text",
    [
        "im not okay i want to die",
        "i'm not ok. i want to die",
        "not fine i want to kill myself",
    ],
)
def test_a_negated_mood_does_not_negate_what_follows(text: str) -> None:
    """Negation leak (issue 15): "not okay" negates "okay", not the ideation after it."""
    verdict = shipped_rules().detect(text)
    assert verdict.level != "none" and not any(s.startswith("negated:") for s in verdict.signals)
    assert detect(text).level != "none"


@pytest.mark.parametrize(
    "text", ["i didnt try to kill myself", "he doesnt want to die", "i didnt want to die"]
)
def test_didnt_and_its_kin_are_negation_words(text: str) -> None:
    verdict = shipped_rules().detect(text)
    assert verdict.level == "none" and any(s.startswith("negated:") for s in verdict.signals)
