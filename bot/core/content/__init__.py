"""The validated content library: skills, prompts and the emotion vocabulary."""

from __future__ import annotations

from bot.core.content.loader import (
    EXTRA_VALIDATORS,
    Validator,
    check_content,
    load_content,
    parse_skill_dict,
    slugify,
    split_steps,
    validate_skill_dict,
)
from bot.core.content.models import (
    Category,
    Content,
    EmotionFamily,
    EmotionVocabulary,
    EmotionWord,
    Kind,
    Prompt,
    Skill,
    Tag,
    label,
)

__all__ = [
    "EXTRA_VALIDATORS",
    "Category",
    "Content",
    "EmotionFamily",
    "EmotionVocabulary",
    "EmotionWord",
    "Kind",
    "Prompt",
    "Skill",
    "Tag",
    "Validator",
    "check_content",
    "label",
    "load_content",
    "parse_skill_dict",
    "slugify",
    "split_steps",
    "validate_skill_dict",
]
