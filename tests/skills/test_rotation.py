"""Rotation: no skill repeats until every enabled skill has been posted; seeded and resumable."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.content import load_content
from bot.skills.logic import Pick, cycle_order, ids_in_theme, next_skill, simulate

SHIPPED = sorted(load_content(Path(__file__).resolve().parents[2] / "content").skills)

ids_strategy = st.sets(st.from_regex(r"[a-z]{1,8}(-[a-z0-9]{1,4})?", fullmatch=True), min_size=1, max_size=70)
seeds = st.one_of(st.integers(), st.text(max_size=20))


def by_cycle(picks: list[Pick]) -> dict[int, list[str]]:
    cycles: dict[int, list[str]] = defaultdict(list)
    for pick in picks:
        cycles[pick.cycle].append(pick.skill_id)
    return dict(cycles)


def test_45_days_with_the_shipped_library_never_repeat() -> None:
    assert len(SHIPPED) >= 45
    picks = simulate(SHIPPED, seed=1234, days=45)
    days = [pick.skill_id for pick in picks]
    assert len(days) == 45
    assert len(set(days)) == 45
    assert {pick.cycle for pick in picks} == {0}
    assert all(pick.reason == "rotation" for pick in picks)


@settings(max_examples=60)
@given(count=st.integers(min_value=40, max_value=60), seed=seeds)
def test_45_days_with_40_or_more_skills(count: int, seed: int | str) -> None:
    enabled = [f"skill-{n}" for n in range(count)]
    days = [pick.skill_id for pick in simulate(enabled, seed, 45)]
    # No repeat until the cycle is exhausted; after that the new cycle starts over.
    first = days[:count]
    assert len(set(first)) == len(first)
    rest = days[count:]
    assert len(set(rest)) == len(rest)


@settings(max_examples=100)
@given(enabled=ids_strategy, seed=seeds, extra_days=st.integers(min_value=0, max_value=80))
def test_each_full_cycle_is_a_permutation(enabled: set[str], seed: int | str, extra_days: int) -> None:
    picks = simulate(enabled, seed, 2 * len(enabled) + extra_days)
    cycles = by_cycle(picks)
    assert list(cycles) == list(range(len(cycles)))
    for number, posted in cycles.items():
        assert len(posted) == len(set(posted)), "a skill repeated within a cycle"
        if number < len(cycles) - 1:
            assert sorted(posted) == sorted(enabled)
            assert posted == cycle_order(enabled, seed, number)
    # new_cycle marks exactly the first post of every cycle after the first.
    assert [pick.new_cycle for pick in picks] == [i > 0 and i % len(enabled) == 0 for i in range(len(picks))]


@settings(max_examples=50)
@given(enabled=ids_strategy, seed=seeds, shuffle=st.randoms(use_true_random=False))
def test_deterministic_under_seed_and_independent_of_input_order(
    enabled: set[str], seed: int | str, shuffle: random.Random
) -> None:
    ordered = sorted(enabled)
    reordered = list(enabled)
    shuffle.shuffle(reordered)
    days = 2 * len(enabled) + 3
    assert simulate(ordered, seed, days) == simulate(reordered, seed, days)
    assert simulate(ordered, seed, days) == simulate(ordered, seed, days)


def test_seeds_and_cycles_shuffle_differently() -> None:
    assert cycle_order(SHIPPED, 1, 0) != cycle_order(SHIPPED, 2, 0)
    assert cycle_order(SHIPPED, 1, 0) != cycle_order(SHIPPED, 1, 1)
    assert cycle_order(SHIPPED, 1, 0) != sorted(SHIPPED)


Op = tuple[str, int]
ops_strategy = st.lists(
    st.tuples(st.sampled_from(["post", "post", "post", "disable", "enable"]), st.integers(0, 19)),
    max_size=120,
)


@settings(max_examples=100)
@given(ops=ops_strategy, seed=seeds)
def test_resuming_from_stored_posts_never_repeats_within_a_cycle(ops: list[Op], seed: int | str) -> None:
    """Like the bot: each day it reads what was posted this cycle and asks again; skills come and go."""
    universe = [f"s{n}" for n in range(20)]
    enabled = set(universe[:12])
    stored: list[tuple[str, int]] = []  # (skill id, cycle), as the posts table would hold them
    for action, index in ops:
        if action == "disable" and len(enabled) > 1:
            enabled.discard(universe[index])
        elif action == "enable":
            enabled.add(universe[index])
        elif action == "post":
            cycle = stored[-1][1] if stored else 0
            posted = [skill_id for skill_id, c in stored if c == cycle]
            pick = next_skill(enabled, posted, seed, cycle=cycle)
            assert pick is not None
            assert pick.skill_id in enabled
            assert pick.cycle == cycle + pick.new_cycle
            if not pick.new_cycle:
                assert pick.skill_id not in posted
            stored.append((pick.skill_id, pick.cycle))


def test_nothing_enabled() -> None:
    assert next_skill([], [], seed=1) is None
    assert simulate([], 1, 5) == []


def test_posts_of_skills_since_disabled_are_ignored() -> None:
    pick = next_skill(["a", "b"], ["gone", "a"], seed=3)
    assert pick == Pick("b", 0, False, "rotation")


def test_queue_comes_first_in_order_then_rotation_continues_without_repeats() -> None:
    picks = simulate(SHIPPED, 9, len(SHIPPED), queue=["say-no-kindly", "not-a-skill", "box-breathing"])
    assert [p.skill_id for p in picks[:2]] == ["say-no-kindly", "box-breathing"]
    assert [p.reason for p in picks[:3]] == ["queue", "queue", "rotation"]
    assert sorted(p.skill_id for p in picks) == SHIPPED


def test_queue_wins_even_over_a_theme() -> None:
    pick = next_skill(SHIPPED, [], 5, theme_ids={"say-no-kindly"}, queue=["body-scan"])
    assert pick is not None and (pick.skill_id, pick.reason) == ("body-scan", "queue")


def test_theme_week_posts_theme_skills_then_repeats_the_least_recent() -> None:
    skills = load_content(Path(__file__).resolve().parents[2] / "content").skills
    theme = ids_in_theme(skills, "boundaries")
    assert len(theme) == 6
    picks = simulate(skills, 77, 9, theme_ids=theme)
    days = [p.skill_id for p in picks]
    assert all(p.reason == "theme" for p in picks)
    assert set(days[:6]) == theme and len(set(days[:6])) == 6
    # Every boundaries skill was used; the theme goes on in the same order rather than stopping.
    assert days[6:] == days[:3]


def test_theme_only_uses_skills_not_posted_this_cycle_when_it_can() -> None:
    enabled = [f"s{n}" for n in range(10)]
    pick = next_skill(enabled, ["s1", "s2"], 4, theme_ids={"s1", "s2", "s3"})
    assert pick == Pick("s3", 0, False, "theme")


def test_theme_without_enabled_skills_falls_back_to_rotation() -> None:
    pick = next_skill(["a", "b", "c"], [], 4, theme_ids={"disabled-one"})
    assert pick is not None and pick.reason == "rotation"


def test_a_theme_at_the_end_of_a_cycle_starts_the_new_cycle() -> None:
    pick = next_skill(["a", "b", "c"], ["c", "a", "b"], 4, cycle=2, theme_ids={"b"})
    assert pick == Pick("b", 3, True, "theme")
