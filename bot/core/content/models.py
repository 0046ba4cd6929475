"""Pydantic models for the content library: skills, prompts and the emotion vocabulary.

The same models validate shipped TOML files and skills a facilitator writes in a Discord modal,
so the limits below are chosen to fit Discord: a skill card is one embed whose description holds
the why and the numbered steps (embed description limit 4,096; here at most 200 + 7 x 300 plus
numbering), and whose fields hold the reflection question (field limit 1,024). Emotion words
become select options (label, value and description are each limited to 100 characters, and a
select holds at most 25 options), so one family holds at most 25 words.

Id conventions (all lower case):
- skill, prompt and family ids and emotion values are kebab-case: ``box-breathing``.
- categories, kinds and good-for tags are snake_case: ``life_skills``, ``body_and_breath``,
  ``low_mood``. The human label is the id with ``_`` replaced by a space.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# Limits, named so the Discord modal for group-written skills can reuse them as max_length.
ID_MAX = 50
TITLE_MAX = 100
WHY_MAX = 200
STEP_MAX = 300
STEPS_MIN = 3
STEPS_MAX = 7
REFLECTION_MAX = 300
MINUTES_MIN = 1
MINUTES_MAX = 60
PROMPT_TEXT_MAX = 500
EMOTION_TEXT_MAX = 100
FAMILY_WORDS_MAX = 25  # a Discord select menu holds at most 25 options

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Category(StrEnum):
    """The six elements of the Resilience Wheel; every skill belongs to exactly one."""

    BONDING = "bonding"
    BOUNDARIES = "boundaries"
    LIFE_SKILLS = "life_skills"
    CARING_AND_SUPPORT = "caring_and_support"
    HIGH_EXPECTATIONS = "high_expectations"
    MEANINGFUL_PARTICIPATION = "meaningful_participation"


class Kind(StrEnum):
    """What sort of practice a skill is; "Something else" offers another of the same kind."""

    BODY_AND_BREATH = "body_and_breath"
    THINKING = "thinking"
    FEELINGS = "feelings"
    CONNECTION = "connection"
    MEANING_AND_VALUES = "meaning_and_values"
    ACTION = "action"


class Tag(StrEnum):
    """What a skill is good for; ``/skill suggest`` maps how a member feels onto these."""

    STRESS = "stress"
    LOW_MOOD = "low_mood"
    ANXIETY = "anxiety"
    SLEEP = "sleep"
    CONFLICT = "conflict"
    LONELINESS = "loneliness"
    OVERWHELM = "overwhelm"
    ANGER = "anger"
    GRIEF = "grief"
    MOTIVATION = "motivation"


def label(value: str) -> str:
    """Human label for a category, kind or tag id: ``life_skills`` -> ``life skills``."""
    return value.replace("_", " ")


ContentId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _unique(values: tuple[str, ...], what: str) -> tuple[str, ...]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)
    return values


class _Strict(BaseModel):
    # Unknown keys are almost always typos ("step" for "steps"), so they are errors.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Skill(_Strict):
    """One coping skill: what the daily card shows and what members practise."""

    id: ContentId
    title: Annotated[Text, StringConstraints(max_length=TITLE_MAX)]
    why: Annotated[Text, StringConstraints(max_length=WHY_MAX)]
    steps: Annotated[
        tuple[Annotated[Text, StringConstraints(max_length=STEP_MAX)], ...],
        Field(min_length=STEPS_MIN, max_length=STEPS_MAX),
    ]
    minutes: Annotated[int, Field(ge=MINUTES_MIN, le=MINUTES_MAX, strict=True)]
    reflection: Annotated[Text, StringConstraints(max_length=REFLECTION_MAX)]
    category: Category
    kind: Kind
    good_for: Annotated[tuple[Tag, ...], Field(min_length=1, max_length=len(Tag))]

    @field_validator("good_for")
    @classmethod
    def _good_for_unique(cls, value: tuple[Tag, ...]) -> tuple[Tag, ...]:
        _unique(tuple(str(v) for v in value), "tag")
        return value

    @field_validator("why")
    @classmethod
    def _why_one_line(cls, value: str) -> str:
        # The why is shown as a single line under the title.
        if "\n" in value:
            raise ValueError("should be one line")
        return value


PROMPT_TAGS: frozenset[str] = frozenset(c.value for c in Category) | frozenset(t.value for t in Tag)


class Prompt(_Strict):
    """A discussion or journaling prompt, tagged with categories and/or good-for tags."""

    id: ContentId
    text: Annotated[Text, StringConstraints(max_length=PROMPT_TEXT_MAX)]
    mode: Literal["discussion", "journaling", "both"] = "both"
    tags: Annotated[tuple[str, ...], Field(min_length=1)]
    skills: tuple[ContentId, ...] = ()

    @field_validator("tags")
    @classmethod
    def _tags_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # A plain membership check gives one clear message instead of a union's error list.
        for tag in value:
            if tag not in PROMPT_TAGS:
                raise ValueError(f"unknown tag {tag!r}; use a category or a good-for tag")
        return _unique(value, "tag")

    @field_validator("skills")
    @classmethod
    def _skills_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(value, "skill")


EmotionText = Annotated[Text, StringConstraints(max_length=EMOTION_TEXT_MAX)]


class EmotionWord(_Strict):
    """A word a member can pick at check-in; ``value`` is stored, ``label`` is shown."""

    value: Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=EMOTION_TEXT_MAX)]
    label: EmotionText
    description: EmotionText | None = None


class EmotionFamily(_Strict):
    """A group of related feelings (one select menu in Discord, so at most 25 words)."""

    id: ContentId
    label: EmotionText
    emoji: str | None = None
    words: Annotated[tuple[EmotionWord, ...], Field(min_length=1, max_length=FAMILY_WORDS_MAX)]


class EmotionVocabulary(_Strict):
    """The feelings-wheel vocabulary from ``content/emotions.toml``."""

    families: Annotated[tuple[EmotionFamily, ...], Field(min_length=1)]

    @field_validator("families")
    @classmethod
    def _unique_ids(cls, value: tuple[EmotionFamily, ...]) -> tuple[EmotionFamily, ...]:
        # Values are what check-ins store, so one value must mean one word everywhere.
        _unique(tuple(f.id for f in value), "family")
        _unique(tuple(w.value for f in value for w in f.words), "word")
        return value

    def words(self) -> list[EmotionWord]:
        """Every word, in file order."""
        return [word for family in self.families for word in family.words]

    def word(self, value: str) -> EmotionWord | None:
        """The word stored as ``value``, or None if the vocabulary no longer has it."""
        return next((w for w in self.words() if w.value == value), None)

    def family_of(self, value: str) -> EmotionFamily | None:
        """The family a word belongs to, or None."""
        return next((f for f in self.families if any(w.value == value for w in f.words)), None)


class Content(BaseModel):
    """Everything loaded from ``content/``, already validated and cross-checked."""

    model_config = ConfigDict(frozen=True)

    skills: dict[str, Skill]
    prompts: dict[str, Prompt]
    emotions: EmotionVocabulary
