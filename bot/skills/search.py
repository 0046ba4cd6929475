"""Pure logic for finding a skill: by words or a tag, by how a member feels, or "something else".

Like ``logic``, no Discord and no database; ties are broken by ``random.Random`` seeded from the
caller's seed, so the same question gets the same answer.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.core.content.models import Kind, Skill, Tag, label
from bot.skills.logic import Seed, Skills, as_list, matches_theme, normalise_theme

# --- feelings -> tags ------------------------------------------------------------------------

# How members describe feelings, mapped to good-for tags. A trailing "*" matches any word that
# starts with the stem ("anxi*" matches anxious, anxiety); other entries match whole words or
# phrases, so short words like "mad" don't match "made".
FEELING_WORDS: dict[Tag, tuple[str, ...]] = {
    Tag.STRESS: (
        "stress*",
        "pressure*",
        "tense",
        "tension",
        "frazzled",
        "on edge",
        "burnt out",
        "burned out",
        "burnout",
        "busy",
        "hectic",
        "wound up",
    ),
    Tag.LOW_MOOD: (
        "sad*",
        "down",
        "low",
        "depress*",
        "blue",
        "empty",
        "numb",
        "hopeless",
        "unhappy",
        "miserable",
        "flat",
        "cry*",
        "meh",
        "rubbish",
        "awful",
        "let down",
        "disappointed",
    ),
    Tag.ANXIETY: (
        "anxi*",
        "nervous*",
        "worri*",
        "worry*",
        "panic*",
        "scared",
        "afraid",
        "fear*",
        "uneasy",
        "jitter*",
        "dread*",
        "on edge",
        "insecure",
    ),
    Tag.SLEEP: (
        "sleep*",
        "insomnia",
        "awake",
        "tired",
        "exhausted",
        "can't sleep",
        "cannot sleep",
        "nightmare*",
        "wired",
        "restless",
    ),
    Tag.CONFLICT: (
        "conflict*",
        "argu*",
        "fight*",
        "fought",
        "disagree*",
        "falling out",
        "fell out",
        "row with",
        "tension with",
        "clash*",
    ),
    Tag.LONELINESS: (
        "lonely",
        "loneliness",
        "alone",
        "isolat*",
        "left out",
        "disconnected",
        "nobody",
        "no one",
        "no friends",
        "homesick",
    ),
    Tag.OVERWHELM: (
        "overwhelm*",
        "too much",
        "swamped",
        "drowning",
        "can't cope",
        "cannot cope",
        "snowed under",
        "scattered",
        "chaos",
        "chaotic",
        "everything at once",
    ),
    Tag.ANGER: (
        "angry",
        "anger",
        "mad",
        "furious",
        "irritat*",
        "annoyed",
        "frustrat*",
        "rage*",
        "resent*",
        "livid",
        "fuming",
        "pissed",
    ),
    Tag.GRIEF: (
        "grief",
        "griev*",
        "loss",
        "lost someone",
        "bereave*",
        "mourn*",
        "died",
        "passed away",
        "funeral",
        "miss her",
        "miss him",
        "miss them",
    ),
    Tag.MOTIVATION: (
        "motivat*",
        "unmotivat*",
        "stuck",
        "procrastinat*",
        "lazy",
        "can't start",
        "can't get going",
        "no energy",
        "bored",
        "apathetic",
        "putting off",
        "can't be bothered",
    ),
}


def _pattern(entry: str) -> str:
    if entry.endswith("*"):
        return r"\b" + re.escape(entry[:-1]).replace(r"\ ", r"\s+") + r"\w*"
    return r"\b" + re.escape(entry).replace(r"\ ", r"\s+") + r"\b"


_FEELING_PATTERNS: dict[Tag, re.Pattern[str]] = {
    tag: re.compile("|".join(_pattern(entry) for entry in entries)) for tag, entries in FEELING_WORDS.items()
}


def _normalise_text(text: str) -> str:
    # Curly apostrophes from phones, hyphens from emotion values ("let-down"), "cant" for "can't".
    text = text.lower().replace("’", "'").replace("-", " ").replace("_", " ")
    return re.sub(r"\b(can|don|won)t\b", r"\1't", text)


def feeling_tags(feeling_text: str) -> list[Tag]:
    """Good-for tags matching how a member says they feel, in the order they are mentioned."""
    text = _normalise_text(feeling_text)
    found: list[tuple[int, Tag]] = []
    for tag, pattern in _FEELING_PATTERNS.items():
        match = pattern.search(text)
        if match:
            found.append((match.start(), tag))
    return [tag for _, tag in sorted(found)]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Skills suggested for a feeling; ``tags`` is empty when the feeling was not recognised."""

    tags: tuple[Tag, ...]
    skills: tuple[Skill, ...]


# Offered when the words are not recognised: short, gentle skills that suit most moments.
_FALLBACK_KINDS = frozenset({Kind.BODY_AND_BREATH, Kind.FEELINGS})


def suggest(
    skills: Skills,
    feeling_text: str,
    recently_practised_ids: Collection[str],
    seed: Seed,
    *,
    n: int = 3,
) -> Suggestion:
    """Suggest up to ``n`` skills for how a member feels, avoiding ones practised recently.

    Skills sharing more of the recognised tags rank higher; ties are broken by ``seed``. Recently
    practised skills are left out unless nothing else fits. When no tag is recognised, short
    body-and-breath or feelings skills are offered (``tags`` is then empty, so the caller can say
    it did not quite understand).
    """
    pool = as_list(skills)
    tags = feeling_tags(feeling_text)
    if tags:
        scored = [(sum(tag in skill.good_for for tag in tags), skill) for skill in pool]
        candidates = [(score, skill) for score, skill in scored if score > 0]
    else:
        candidates = [(1, skill) for skill in pool if skill.kind in _FALLBACK_KINDS and skill.minutes <= 5]
    fresh = [(score, skill) for score, skill in candidates if skill.id not in recently_practised_ids]
    chosen = fresh or candidates
    chosen.sort(key=lambda pair: pair[1].id)
    random.Random(f"{seed}:suggest").shuffle(chosen)
    chosen.sort(key=lambda pair: -pair[0])  # stable: the shuffle only breaks ties
    return Suggestion(tuple(tags), tuple(skill for _, skill in chosen[:n]))


def alternative_of_same_kind(
    skill: Skill, skills: Skills, exclude: Collection[str] = (), seed: Seed | None = None
) -> Skill | None:
    """Another skill of the same kind for "Something else", or None if there is none left.

    Prefers skills sharing more good-for tags; ties are broken by ``seed`` (or by title without one).
    """
    candidates = [
        other
        for other in as_list(skills)
        if other.kind == skill.kind and other.id != skill.id and other.id not in exclude
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda other: (other.title, other.id))
    if seed is not None:
        random.Random(f"{seed}:{skill.id}").shuffle(candidates)
    candidates.sort(key=lambda other: -len(set(other.good_for) & set(skill.good_for)))
    return candidates[0]


# --- search ----------------------------------------------------------------------------------

_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "to",
        "of",
        "for",
        "in",
        "on",
        "with",
        "my",
        "me",
        "i",
        "im",
        "i'm",
        "is",
        "it",
        "am",
        "feel",
        "feeling",
        "about",
        "some",
        "something",
        "skill",
        "skills",
        "how",
        "what",
        "when",
        "that",
        "this",
    ]
)
_WORD = re.compile(r"[a-z0-9']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(_normalise_text(text))


def find_skills(skills: Skills, query: str, limit: int | None = None) -> list[Skill]:
    """Skills matching a query of words or a tag, best first (used by ``/skill find`` and autocomplete).

    An exact id or theme (category or tag) ranks highest; then words in the title, in the
    category, kind or tags, and finally in the why and steps. Feeling words count too
    ("anxious" finds skills good for anxiety). Skills matching nothing are left out.
    """
    pool = as_list(skills)
    text = query.strip().lower()
    if not text:
        return []
    theme = normalise_theme(text)
    tokens = [word for word in _words(text) if word not in _STOP_WORDS]
    felt = set(feeling_tags(text))

    def score(skill: Skill) -> int:
        total = 100 if skill.id == text else 0
        if theme is not None and matches_theme(skill, theme):
            total += 20
        total += 4 * len(felt & set(skill.good_for))
        title = _words(skill.title)
        labels = _words(" ".join([label(skill.category), label(skill.kind), *map(label, skill.good_for)]))
        body = set(_words(" ".join([skill.why, *skill.steps])))
        for token in tokens:
            if token in title:
                total += 6
            elif len(token) >= 3 and any(word.startswith(token) for word in title):
                total += 4
            if token in labels:
                total += 3
            if token in body:
                total += 1
        return total

    ranked = sorted(((score(skill), skill) for skill in pool), key=lambda pair: (-pair[0], pair[1].title))
    found = [skill for points, skill in ranked if points > 0]
    return found if limit is None else found[:limit]


def closest_skills(query: str, skills: Skills, n: int = 3) -> list[Skill]:
    """The ``n`` skills whose title or id looks most like ``query`` (always ``n`` if there are enough)."""
    text = query.strip().lower()

    def likeness(skill: Skill) -> float:
        title = skill.title.lower()
        ratio = max(
            difflib.SequenceMatcher(None, text, title).ratio(),
            difflib.SequenceMatcher(None, text, skill.id).ratio(),
        )
        # A query contained in a title ("breath") is a strong hint even when lengths differ.
        return ratio + (0.5 if text and (text in title or text in skill.id) else 0.0)

    return sorted(as_list(skills), key=lambda skill: (-likeness(skill), skill.title))[:n]


def closest_titles(query: str, skills: Skills, n: int = 3) -> list[str]:
    """Titles of the ``n`` closest skills, for an "unknown skill id" error message."""
    return [skill.title for skill in closest_skills(query, skills, n)]
