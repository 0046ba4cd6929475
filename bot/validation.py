"""Every content check in one list: ``content check`` and start-up run the same ones."""

from __future__ import annotations

from pathlib import Path

from bot.core.consent import load_agreement
from bot.core.content import check_content, load_content
from bot.core.content.loader import Validator
from bot.core.content.models import Content
from bot.core.problems import ContentInvalid, Problem
from bot.crisis.detect import validate_phrases
from bot.crisis.resources import validate_resources


def _agreement(root: Path) -> list[Problem]:
    try:
        load_agreement(root)
    except ContentInvalid as error:
        return error.problems
    return []


def _crisis_resources(root: Path) -> list[Problem]:
    return validate_resources(root / "crisis" / "resources.toml")


def _crisis_phrases(root: Path) -> list[Problem]:
    return validate_phrases(root / "crisis" / "phrases.toml")


VALIDATORS: tuple[Validator, ...] = (_agreement, _crisis_resources, _crisis_phrases)


def check_all(root: Path) -> list[Problem]:
    """Every problem in the content tree, one per line-worthy item."""
    return check_content(root, extra_validators=VALIDATORS)


def load_all(root: Path) -> Content:
    """The content, or ``ContentInvalid`` with every problem (the bot refuses to start)."""
    return load_content(root, extra_validators=VALIDATORS)
