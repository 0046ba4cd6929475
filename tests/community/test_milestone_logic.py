from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.community.celebrations import MILESTONES, milestone_text, new_milestones
from bot.community.digest import top_counts


def test_new_milestones_lowest_first_and_skips_celebrated():
    assert new_milestones("skills", 4, []) == []
    assert new_milestones("skills", 12, []) == [5, 10]
    assert new_milestones("skills", 12, [5]) == [10]
    assert new_milestones("goals", 1, []) == [1]


@given(
    kind=st.sampled_from(sorted(MILESTONES)),
    count=st.integers(min_value=0, max_value=500),
    more=st.integers(min_value=0, max_value=500),
)
def test_each_milestone_is_reached_once_as_counts_grow(kind, count, more):  # type: ignore[no-untyped-def]
    first = new_milestones(kind, count, [])
    second = new_milestones(kind, count + more, first)
    assert not set(first) & set(second)
    assert sorted(first + second) == [t for t in MILESTONES[kind] if t <= count + more]


def test_card_mentions_only_the_member_and_no_content():
    text = milestone_text("goals", 5, "<@1>")
    assert text.count("<@") == 1 and "5 goals" in text
    assert "first goal" in milestone_text("goals", 1, "<@1>")


def test_top_counts_ties_by_name():
    assert top_counts(["b", "a", "b", "c", "a", "b"], limit=2) == [("b", 3), ("a", 2)]
