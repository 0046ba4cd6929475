"""Pure logic for the skill of the day: which skill to post next, and themes.

No Discord and no database: every function takes plain values (skill ids, ``Skill`` models,
seeds) and returns plain values, so the rules can be tested exhaustively. Anything random uses
``random.Random`` seeded from the caller's seed (e.g. the guild id), which is stable across runs
and Python versions for int and str seeds. Finding and suggesting skills is in ``search``.

Functions taking ``skills`` accept either an iterable of ``Skill`` or a mapping of id to
``Skill`` (such as ``Content.skills``), so shipped and group-written skills can be mixed freely.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.content import slugify
from bot.core.content.models import Category, Skill, Tag

Skills = Iterable[Skill] | Mapping[str, Skill]
Seed = int | str

# --- rotation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pick:
    """Which skill to post next and why.

    ``cycle`` is the cycle this post belongs to; store it with the post. When ``new_cycle`` is
    true the previous cycle was exhausted, so the caller's "posted in current cycle" list starts
    again from this pick.
    """

    skill_id: str
    cycle: int
    new_cycle: bool
    reason: Literal["queue", "theme", "rotation"]


def cycle_order(enabled_ids: Collection[str], seed: Seed, cycle: int) -> list[str]:
    """The shuffled order of one rotation cycle: deterministic for (ids, seed, cycle)."""
    # Sorting first makes the order independent of how the caller happened to list the ids.
    order = sorted(set(enabled_ids))
    random.Random(f"{seed}:{cycle}").shuffle(order)
    return order


def next_skill(
    enabled_ids: Collection[str],
    posted_in_current_cycle: Sequence[str],
    seed: Seed,
    *,
    cycle: int = 0,
    theme_ids: Collection[str] | None = None,
    queue: Sequence[str] = (),
) -> Pick | None:
    """Choose the next skill to post for a group, or None when no skill is enabled.

    Rules, in order:
    1. If every enabled skill has been posted in ``cycle``, a new cycle (``cycle + 1``) starts.
    2. The first queued id that is enabled wins (a facilitator pinned it; the caller pops it).
    3. With a theme (``theme_ids``: ids matching the theme, see ``ids_in_theme``), the next theme
       skill not yet posted this cycle, in cycle order. If every theme skill has been posted this
       cycle, the one posted longest ago is repeated: the facilitator asked for the theme.
       A theme with no enabled skills is ignored (the command should refuse it up front).
    4. Otherwise the next unposted skill in this cycle's shuffled order.

    Without queue or theme, each cycle is a permutation of the enabled skills.
    """
    enabled = set(enabled_ids)
    if not enabled:
        return None
    posted = [skill_id for skill_id in posted_in_current_cycle if skill_id in enabled]
    new_cycle = enabled <= set(posted)
    if new_cycle:
        cycle, posted = cycle + 1, []

    for skill_id in queue:
        if skill_id in enabled:
            return Pick(skill_id, cycle, new_cycle, "queue")

    remaining = [skill_id for skill_id in cycle_order(enabled, seed, cycle) if skill_id not in posted]
    if theme_ids is not None:
        themed = enabled & set(theme_ids)
        fresh = [skill_id for skill_id in remaining if skill_id in themed]
        if fresh:
            return Pick(fresh[0], cycle, new_cycle, "theme")
        if themed:
            # Every theme skill is in ``posted``; repeat the one whose latest post is oldest.
            last_posted = {skill_id: index for index, skill_id in enumerate(posted)}
            oldest = min(themed, key=lambda skill_id: (last_posted[skill_id], skill_id))
            return Pick(oldest, cycle, new_cycle, "theme")
    return Pick(remaining[0], cycle, new_cycle, "rotation")


def simulate(
    enabled_ids: Collection[str],
    seed: Seed,
    days: int,
    *,
    theme_ids: Collection[str] | None = None,
    queue: Sequence[str] = (),
) -> list[Pick]:
    """Run ``next_skill`` for ``days`` days from a fresh start, the way a group's posts would go.

    Useful for previews ("the next week's skills") and for tests. Queued ids are used up in order.
    """
    picks: list[Pick] = []
    posted: list[str] = []
    cycle = 0
    pending = list(queue)
    for _ in range(days):
        pick = next_skill(enabled_ids, posted, seed, cycle=cycle, theme_ids=theme_ids, queue=pending)
        if pick is None:
            break
        if pick.new_cycle:
            posted = []
        if pick.reason == "queue":
            pending.remove(pick.skill_id)
        posted.append(pick.skill_id)
        cycle = pick.cycle
        picks.append(pick)
    return picks


# --- themes ----------------------------------------------------------------------------------

_CATEGORIES = frozenset(c.value for c in Category)
_TAGS = frozenset(t.value for t in Tag)


def normalise_theme(text: str) -> str | None:
    """The theme id for user text (``"Life skills"``, ``"low-mood"``), or None if it is not one."""
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    return key if key in _CATEGORIES or key in _TAGS else None


def matches_theme(skill: Skill, theme: str) -> bool:
    """Whether a skill belongs to a theme: its category, or one of its good-for tags."""
    key = normalise_theme(theme)
    return key is not None and (skill.category == key or key in skill.good_for)


def ids_in_theme(skills: Skills, theme: str) -> set[str]:
    """Ids of the skills matching a theme (pass this as ``theme_ids`` to ``next_skill``)."""
    return {skill.id for skill in as_list(skills) if matches_theme(skill, theme)}


def themes(skills: Skills) -> list[str]:
    """Sorted theme ids (categories and good-for tags) that at least one of ``skills`` has."""
    found: set[str] = set()
    for skill in as_list(skills):
        found.add(skill.category.value)
        found.update(tag.value for tag in skill.good_for)
    return sorted(found)


# --- group-written skills --------------------------------------------------------------------


def new_skill_id(title: str, taken: Collection[str]) -> str:
    """An id for a facilitator's new skill from its title, numbered if the group has it already."""
    base = slugify(title)
    skill_id, n = base, 2
    while skill_id in taken:
        suffix = f"-{n}"
        skill_id, n = base[: 50 - len(suffix)] + suffix, n + 1
    return skill_id


def as_list(skills: Skills) -> list[Skill]:
    """The skills as a list, from either form callers pass."""
    return list(skills.values()) if isinstance(skills, Mapping) else list(skills)
