"""Finding, suggesting and offering alternatives among skills."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.content import Category, Kind, Skill, Tag, load_content
from bot.skills.logic import ids_in_theme, matches_theme, normalise_theme, themes
from bot.skills.search import alternative_of_same_kind, closest_titles, feeling_tags, find_skills, suggest

SKILLS = load_content(Path(__file__).resolve().parents[2] / "content").skills


def make(skill_id: str, title: str, kind: str = "thinking", good_for: tuple[str, ...] = ("stress",),
         category: str = "life_skills") -> Skill:  # fmt: skip
    return Skill.model_validate(
        {
            "id": skill_id,
            "title": title,
            "why": "Because it helps.",
            "steps": ["One.", "Two.", "Three."],
            "minutes": 5,
            "reflection": "How was it?",
            "category": category,
            "kind": kind,
            "good_for": list(good_for),
        }
    )


# --- find ---------------------------------------------------------------------------------


def test_find_by_title_word() -> None:
    found = [s.id for s in find_skills(SKILLS, "breathing")]
    assert set(found[:2]) == {"box-breathing", "paced-breathing"}


def test_find_by_exact_id_ranks_first() -> None:
    assert find_skills(SKILLS, "worry-time")[0].id == "worry-time"


@pytest.mark.parametrize("query", ["boundaries", "Boundaries", "life skills", "low-mood", "grief"])
def test_find_by_theme_puts_every_theme_skill_first(query: str) -> None:
    theme = ids_in_theme(SKILLS, query)
    found = find_skills(SKILLS, query)
    assert theme and {s.id for s in found[: len(theme)]} == theme


def test_find_understands_feeling_words() -> None:
    found = find_skills(SKILLS, "anxious", limit=5)
    assert len(found) == 5
    assert all(Tag.ANXIETY in s.good_for for s in found)


def test_find_nothing() -> None:
    assert find_skills(SKILLS, "") == []
    assert find_skills(SKILLS, "   ") == []
    assert find_skills(SKILLS, "zzqx") == []


def test_find_accepts_a_list_and_respects_limit() -> None:
    found = find_skills(list(SKILLS.values()), "thought", limit=1)
    assert [s.id for s in found] == ["thought-record"]


# --- closest ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("box-breath", "Box breathing"),
        ("boxbreathing", "Box breathing"),
        ("grounding", "5-4-3-2-1 grounding"),
        ("worry tme", "Worry time"),
        ("self care plan", "Make a self-care plan"),
    ],
)
def test_closest_titles_puts_the_likely_one_first(query: str, expected: str) -> None:
    assert closest_titles(query, SKILLS)[0] == expected


@settings(max_examples=50)
@given(query=st.text(max_size=30))
def test_closest_titles_always_offers_three(query: str) -> None:
    titles = closest_titles(query, SKILLS)
    assert len(titles) == 3 == len(set(titles))
    assert closest_titles(query, SKILLS, n=1) == titles[:1]


# --- feelings and suggestions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("I'm so anxious", [Tag.ANXIETY]),
        ("can’t sleep again", [Tag.SLEEP]),
        ("cant sleep", [Tag.SLEEP]),
        ("lonely and a bit down", [Tag.LONELINESS, Tag.LOW_MOOD]),
        ("furious with my boss after an argument", [Tag.ANGER, Tag.CONFLICT]),
        ("Overwhelmed, too much on", [Tag.OVERWHELM]),
        ("stressed out", [Tag.STRESS]),
        ("my dad passed away", [Tag.GRIEF]),
        ("totally unmotivated, procrastinating", [Tag.MOTIVATION]),
        ("let-down", [Tag.LOW_MOOD]),
        ("I made dinner", []),
        ("", []),
    ],
)
def test_feeling_tags(text: str, tags: list[Tag]) -> None:
    assert feeling_tags(text) == tags


def test_suggest_matches_the_feeling_best_first() -> None:
    result = suggest(SKILLS, "anxious and can't sleep", recently_practised_ids=(), seed=1)
    assert result.tags == (Tag.ANXIETY, Tag.SLEEP)
    assert len(result.skills) == 3
    assert all({Tag.ANXIETY, Tag.SLEEP} <= set(s.good_for) for s in result.skills)


def test_suggest_avoids_recent_practice() -> None:
    first = suggest(SKILLS, "lonely", (), seed=3)
    recent = {s.id for s in first.skills}
    second = suggest(SKILLS, "lonely", recent, seed=3)
    assert second.skills and not recent & {s.id for s in second.skills}
    assert all(Tag.LONELINESS in s.good_for for s in second.skills)


def test_suggest_falls_back_to_recent_when_nothing_else_fits() -> None:
    skills = [make("a", "A", good_for=("grief",)), make("b", "B", good_for=("stress",))]
    result = suggest(skills, "grieving", recently_practised_ids={"a"}, seed=1)
    assert [s.id for s in result.skills] == ["a"]


def test_suggest_is_deterministic_under_seed() -> None:
    runs = {tuple(s.id for s in suggest(SKILLS, "stressed", (), seed=42).skills) for _ in range(3)}
    assert len(runs) == 1
    variety = {tuple(s.id for s in suggest(SKILLS, "stressed", (), seed=n).skills) for n in range(10)}
    assert len(variety) > 1


def test_suggest_for_unrecognised_words_offers_short_gentle_skills() -> None:
    result = suggest(SKILLS, "hmm, not sure", (), seed=1, n=5)
    assert result.tags == ()
    assert len(result.skills) == 5
    assert all(s.minutes <= 5 and s.kind in {Kind.BODY_AND_BREATH, Kind.FEELINGS} for s in result.skills)


# --- alternatives -------------------------------------------------------------------------


def test_alternative_is_the_same_kind_and_prefers_shared_tags() -> None:
    skills = [
        make("one", "One", good_for=("anger", "conflict")),
        make("two", "Two", good_for=("sleep",)),
        make("three", "Three", good_for=("anger", "conflict")),
        make("four", "Four", kind="action", good_for=("anger", "conflict")),
    ]
    assert alternative_of_same_kind(skills[0], skills) == skills[2]
    assert alternative_of_same_kind(skills[0], skills, exclude={"three"}) == skills[1]
    assert alternative_of_same_kind(skills[0], skills, exclude={"two", "three"}) is None


def test_every_shipped_skill_has_an_alternative() -> None:
    for skill in SKILLS.values():
        other = alternative_of_same_kind(skill, SKILLS, seed=7)
        assert other is not None and other.kind == skill.kind and other.id != skill.id
        assert alternative_of_same_kind(skill, SKILLS, seed=7) == other


# --- themes -------------------------------------------------------------------------------


def test_themes_of_the_shipped_library_are_every_category_and_tag() -> None:
    names = themes(SKILLS)
    assert names == sorted(names)
    assert set(names) == {c.value for c in Category} | {t.value for t in Tag}


def test_themes_only_lists_what_is_present() -> None:
    skills = [make("a", "A", good_for=("sleep",), category="bonding")]
    assert themes(skills) == ["bonding", "sleep"]


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Life skills", "life_skills"),
        ("low-mood", "low_mood"),
        (" BOUNDARIES ", "boundaries"),
        ("breath", None),
    ],
)
def test_normalise_theme(text: str, theme: str | None) -> None:
    assert normalise_theme(text) == theme


def test_matches_theme_by_category_or_tag() -> None:
    skill = make("a", "A", good_for=("sleep",), category="bonding")
    assert matches_theme(skill, "bonding") and matches_theme(skill, "Sleep")
    assert not matches_theme(skill, "anger") and not matches_theme(skill, "nonsense")
