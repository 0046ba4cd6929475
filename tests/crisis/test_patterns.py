"""Every pattern and hard negative issue 15 names, one test each, on the corpus's training part.

These are guards, not the measure: the classifier was trained on these texts, so the rates are
in-sample. They fail if the learned stage stops being used, forgets a pattern, or starts adding
false alarms to a kind of everyday text. The measure is the frozen test part, scored by
``make bench`` and reported in the README. Failures print counts only, never the texts.
"""

from __future__ import annotations

import functools

import pytest

from bot.crisis import corpus
from bot.crisis.detect import Verdict, shipped_detector, shipped_rules

# Crisis texts (the writer's own) by pattern: the detector must answer more than the rules do.
CRISIS_PATTERNS = (
    "passive_ideation",  # too tired to live, wanting a way out, never wanting to wake up
    "method_deadline",  # a method or a countdown without the expected verbs
    "farewell",  # goodbye everyone, giving things away
    "euphemism",  # "do it", "do something stupid", "commit" alone
    "implicit_distress",  # done fighting, can't try any more
    "bare_suicide",  # the bare word weighed as an option
    "inflection",  # "killed myself" and other forms the list lacked
    "negation_leak",  # "i'm not okay i want to die"
    "self_harm",
    "explicit_intent",
)
# Everyday texts that look like a crisis: the learned stage may add at most this much to the
# rules' own false alarms on each.
NEGATIVES = (
    "hyperbole",  # "want to die" about food, exams, embarrassment
    "copypasta_lyrics",
    "game_talk",
    "dark_joke",  # "kms lol"
    "art_media",  # "suicidal" describing art
    "negated_true",
    "recovery",
    "topic_discussion",
    "everyday_chat",
    "mild_distress",
)
ADDED_FALSE_ALARMS = 0.05


@functools.cache
def _verdicts() -> list[tuple[corpus.Example, Verdict, Verdict]]:
    detector, rules = shipped_detector(), shipped_rules()
    return [(e, detector.detect(e.text), rules.detect(e.text)) for e in corpus.training_part()]


def _rows(pattern: str, labels: tuple[str, ...]) -> list[tuple[Verdict, Verdict]]:
    rows = [(ours, rules) for e, ours, rules in _verdicts() if e.pattern == pattern and e.label in labels]
    assert len(rows) >= 30, f"{pattern}: only {len(rows)} training texts"
    return rows


@pytest.mark.parametrize("pattern", CRISIS_PATTERNS)
def test_each_crisis_pattern_is_answered_more_often_than_by_the_rules(pattern: str) -> None:
    rows = _rows(pattern, ("concern", "urgent"))
    ours = sum(v.level != "none" and v.about == "self" for v, _ in rows)
    rules = sum(r.level != "none" for _, r in rows)
    assert ours >= rules, f"{pattern}: {ours} answered, the rules alone {rules}, of {len(rows)}"
    assert ours / len(rows) >= 0.5, f"{pattern}: {ours} of {len(rows)} answered"


@pytest.mark.parametrize("pattern", NEGATIVES)
def test_each_hard_negative_gets_few_false_alarms_beyond_the_rules(pattern: str) -> None:
    rows = _rows(pattern, ("none",))
    ours = sum(v.level != "none" for v, _ in rows) / len(rows)
    rules = sum(r.level != "none" for _, r in rows) / len(rows)
    assert ours <= rules + ADDED_FALSE_ALARMS, f"{pattern}: {ours:.2f} flagged, the rules alone {rules:.2f}"


def test_someone_else_at_risk_is_read_as_about_someone_else() -> None:
    rows = _rows("other_person", ("other",))
    about_other = sum(v.about == "other" for v, _ in rows)
    assert about_other / len(rows) >= 0.5, f"{about_other} of {len(rows)}"
    assert all(v.level != "urgent" for v, _ in rows if v.about == "other")


def test_harassment_is_a_moderation_matter_not_a_crisis_of_the_writer() -> None:
    rows = _rows("harassment", ("harassment",))
    moderation = sum(v.about == "harassment" for v, _ in rows)
    assert moderation / len(rows) >= 0.5, f"{moderation} of {len(rows)}"
