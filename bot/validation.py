"""Every content check in one list: ``content check`` and start-up run the same ones."""

from __future__ import annotations

from pathlib import Path

from bot.core.consent import load_agreement
from bot.core.content import check_content, load_content
from bot.core.content.loader import Validator
from bot.core.content.models import Content
from bot.core.problems import ContentInvalid, Problem
from bot.crisis.automod import validate_automod
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


def _crisis_automod(root: Path) -> list[Problem]:
    return validate_automod(root / "crisis" / "automod.toml")


VALIDATORS: tuple[Validator, ...] = (_agreement, _crisis_resources, _crisis_phrases, _crisis_automod)


def check_all(root: Path) -> list[Problem]:
    """Every problem in the content tree, one per line-worthy item."""
    return check_content(root, extra_validators=VALIDATORS)


def load_all(root: Path) -> Content:
    """The content, or ``ContentInvalid`` with every problem (the bot refuses to start)."""
    return load_content(root, extra_validators=VALIDATORS)


def folder_missing(root: Path) -> str | None:
    """A line saying, in words, that there is no content folder at ``root``; None when there is."""
    if root.is_dir():
        return None
    what = "is a file, not a folder" if root.exists() else "does not exist"
    return (
        f"CONTENT_PATH: the content folder {root} {what}; point CONTENT_PATH at a folder like the "
        "shipped content/ (skills/, prompts/, emotions.toml, agreement.toml, crisis/)"
    )


def format_problem(problem: Problem, root: Path | None = None) -> str:
    """One problem as a line: the file (under ``root`` when given), the field, what is wrong."""
    where = problem.file
    if root is not None:
        where = (root / problem.file).as_posix() + ("/" if problem.file.endswith("/") else "")
    if problem.field in {"", "-"}:  # the whole file or folder
        return f"{where}: {problem.message}"
    return f"{where}: {problem.field}: {problem.message}"


def startup_lines(root: Path, limit: int = 10) -> list[str]:
    """What stops the bot (or the demo) starting on this content folder, a line each; [] when valid.

    At most ``limit`` problems, then a pointer to ``content check``, which lists them all.
    """
    missing = folder_missing(root)
    if missing:
        return [missing]
    model = classifier_problem()
    if model:
        return [model]
    problems = check_all(root)
    lines = [format_problem(p, root) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more: `resilience-bot content check` lists them all")
    return lines


def classifier_problem(path: Path | None = None) -> str:
    """Why the crisis classifier cannot load (one line naming its file), or "" when it can.

    The bot never runs with crisis detection quietly reduced to the phrase rules.
    """
    from bot.crisis.model import WEIGHTS, Classifier, ModelError

    try:
        Classifier.load(path or WEIGHTS)
    except ModelError as error:
        return str(error)
    return ""
