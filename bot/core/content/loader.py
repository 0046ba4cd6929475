"""Read and validate everything under ``content/``.

``check_content`` never raises on bad content: it returns one ``Problem`` per thing wrong, naming
the file (relative to the content root) and the field, so ``resilience-bot content check`` can
print one line each. ``load_content`` runs the same checks and raises ``ContentInvalid`` when any
fail, so the bot refuses to start with the same message.

Layout::

    content/skills/*.toml     [[skills]] tables (see models.Skill)
    content/prompts/*.toml    [[prompts]] tables (see models.Prompt)
    content/emotions.toml     [[families]] tables, each with a words array (see models.EmotionFamily)

Other content (crisis resources, ...) plugs in through ``EXTRA_VALIDATORS`` or the
``extra_validators`` argument: a validator takes the content root and returns problems.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.core.content.models import ID_PATTERN, Content, EmotionVocabulary, Prompt, Skill
from bot.core.problems import ContentInvalid, Problem

Validator = Callable[[Path], list[Problem]]

# Validators for other content areas run after the built-in checks, by both check_content and
# load_content. Add one here (e.g. crisis resources) rather than editing the checks below.
EXTRA_VALIDATORS: tuple[Validator, ...] = ()

SKILLS_DIR = "skills"
PROMPTS_DIR = "prompts"
EMOTIONS_FILE = "emotions.toml"

# Files that may sit next to the data without being read (notes for content writers).
_IGNORED_SUFFIXES = frozenset({".md", ".txt"})

_M = TypeVar("_M", bound=BaseModel)


def check_content(root: Path, extra_validators: Sequence[Validator] | None = None) -> list[Problem]:
    """Validate the content tree at ``root`` and return every problem found (empty when valid)."""
    problems, _ = _check(root, extra_validators)
    return problems


def load_content(root: Path, extra_validators: Sequence[Validator] | None = None) -> Content:
    """Load and validate the content tree at ``root``.

    Raises ``ContentInvalid`` listing every problem if anything is wrong.
    """
    problems, content = _check(root, extra_validators)
    if problems or content is None:
        raise ContentInvalid(problems)
    return content


def validate_skill_dict(
    data: Mapping[str, Any], *, existing_ids: Collection[str] = (), source: str = "group skill"
) -> list[Problem]:
    """Validate one skill written outside the files (e.g. a facilitator's modal, stored in the DB).

    Same schema and limits as the shipped files. ``existing_ids`` are ids already taken (shipped
    and group skills); ``source`` is used as the problem's file, so messages read naturally.
    """
    return _parse_skill_dict(data, existing_ids=existing_ids, source=source)[0]


def parse_skill_dict(
    data: Mapping[str, Any], *, existing_ids: Collection[str] = (), source: str = "group skill"
) -> Skill:
    """Like ``validate_skill_dict`` but returns the ``Skill``, raising ``ContentInvalid`` if invalid."""
    problems, skill = _parse_skill_dict(data, existing_ids=existing_ids, source=source)
    if problems or skill is None:
        raise ContentInvalid(problems)
    return skill


_STEP_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def split_steps(text: str) -> list[str]:
    """Turn a modal's multi-line steps text into steps: one per non-empty line, numbering removed."""
    steps = (_STEP_MARKER.sub("", line).strip() for line in text.splitlines())
    return [step for step in steps if step]


def slugify(title: str) -> str:
    """A kebab-case id for a group-written skill: ``"Box breathing!"`` -> ``box-breathing``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:50].rstrip("-") or "skill"


# --- internals -------------------------------------------------------------------------------


def _parse_skill_dict(
    data: Mapping[str, Any], *, existing_ids: Collection[str], source: str
) -> tuple[list[Problem], Skill | None]:
    item = dict(data)
    minutes = item.get("minutes")
    # Modal inputs arrive as text; the files are strict about integers, a form need not be.
    if isinstance(minutes, str) and minutes.strip().isdigit():
        item["minutes"] = int(minutes.strip())
    problems: list[Problem] = []
    skill = _validate(Skill, item, source, "", problems)
    if skill is not None and skill.id in existing_ids:
        problems.append(Problem(source, "id", f"a skill with id {skill.id!r} already exists"))
        return problems, None
    return problems, skill


def _check(root: Path, extra_validators: Sequence[Validator] | None) -> tuple[list[Problem], Content | None]:
    problems: list[Problem] = []
    if not root.is_dir():
        return [Problem(str(root), "-", "content folder not found")], None

    skills, _, broken_skills = _load_records(root, SKILLS_DIR, "skills", Skill, problems)
    prompts, prompt_files, _ = _load_records(root, PROMPTS_DIR, "prompts", Prompt, problems)
    emotions = _load_emotions(root, problems)

    # Cross-references: a prompt may only point at skills that exist. A skill that is there but
    # broken (a bad field, or a file that does not parse) is reported once, where it is: a line
    # for every prompt naming it would bury that one.
    if not broken_skills.unreadable:
        problems.extend(_unknown_skills(prompts, prompt_files, skills, broken_skills.ids))

    validators = EXTRA_VALIDATORS if extra_validators is None else extra_validators
    for validator in validators:
        problems.extend(validator(root))

    if problems or emotions is None:
        return problems, None
    return problems, Content(skills=skills, prompts=prompts, emotions=emotions)


def _unknown_skills(
    prompts: Mapping[str, Prompt],
    prompt_files: Mapping[str, str],
    skills: Mapping[str, Skill],
    broken: Collection[str],
) -> list[Problem]:
    problems = []
    for prompt in prompts.values():
        for index, skill_id in enumerate(prompt.skills):
            if skill_id in skills or skill_id in broken:
                continue
            hint = difflib.get_close_matches(skill_id, list(skills), n=1)
            also = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(
                Problem(
                    prompt_files[prompt.id],
                    f"prompts.{prompt.id}.skills[{index}]",
                    f"unknown skill id {skill_id!r}{also}",
                )
            )
    return problems


def _data_files(root: Path, folder: str, problems: list[Problem]) -> list[Path]:
    directory = root / folder
    if not directory.is_dir():
        problems.append(Problem(f"{folder}/", "-", "folder not found"))
        return []
    files: list[Path] = []
    for path in sorted(directory.iterdir()):
        if path.suffix == ".toml" and path.is_file():
            files.append(path)
        elif path.suffix not in _IGNORED_SUFFIXES and not path.name.startswith("."):
            # A stray .yaml or .json would be silently skipped otherwise.
            problems.append(Problem(_rel(root, path), "-", "not a .toml file, so it would be ignored"))
    if not files:
        problems.append(Problem(f"{folder}/", "-", "no .toml files found"))
    return files


def _read_toml(root: Path, path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(_rel(root, path), "(syntax)", f"invalid TOML: {error}"))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(_rel(root, path), "(file)", f"cannot read: {error}"))
    return None


def _records(data: dict[str, Any], key: str, rel: str, problems: list[Problem]) -> list[Any]:
    for extra in sorted(set(data) - {key}):
        problems.append(Problem(rel, extra, f"unknown top-level key; expected only [[{key}]] tables"))
    records = data.get(key)
    if records is None:
        problems.append(Problem(rel, key, f"no [[{key}]] tables found"))
        return []
    if not isinstance(records, list):
        problems.append(Problem(rel, key, f"should be an array of tables ([[{key}]])"))
        return []
    return records


@dataclasses.dataclass
class _Broken:
    """Records that are there but did not load: by id, or whole files that did not parse."""

    ids: set[str] = dataclasses.field(default_factory=set)
    unreadable: bool = False


def _load_records(
    root: Path, folder: str, key: str, model: type[_M], problems: list[Problem]
) -> tuple[dict[str, _M], dict[str, str], _Broken]:
    """Load every ``[[key]]`` table from ``root/folder/*.toml``; ids must be unique across files."""
    loaded: dict[str, _M] = {}
    origin: dict[str, str] = {}
    files = _data_files(root, folder, problems)
    broken = _Broken(unreadable=not files)
    for path in files:
        rel = _rel(root, path)
        data = _read_toml(root, path, problems)
        if data is None or not isinstance(data.get(key), list):
            broken.unreadable = True  # which ids this file holds is unknown
        if data is None:
            continue
        for index, item in enumerate(_records(data, key, rel, problems)):
            if not isinstance(item, dict):
                problems.append(Problem(rel, f"{key}[{index}]", "should be a table"))
                broken.unreadable = True  # which ids it held is unknown
                continue
            record = _validate(model, item, rel, _prefix(key, index, item), problems)
            if record is None:
                if isinstance(item.get("id"), str):
                    broken.ids.add(item["id"])
                continue
            record_id: str = getattr(record, "id")  # noqa: B009 - both models have an id
            if record_id in origin:
                where = "earlier in this file" if origin[record_id] == rel else f"in {origin[record_id]}"
                problems.append(Problem(rel, f"{key}.{record_id}.id", f"duplicate id, already used {where}"))
                continue
            loaded[record_id] = record
            origin[record_id] = rel
    return loaded, origin, broken


def _load_emotions(root: Path, problems: list[Problem]) -> EmotionVocabulary | None:
    path = root / EMOTIONS_FILE
    if not path.is_file():
        problems.append(Problem(EMOTIONS_FILE, "-", "file not found"))
        return None
    data = _read_toml(root, path, problems)
    if data is None:
        return None
    return _validate(EmotionVocabulary, data, EMOTIONS_FILE, "", problems)


def _prefix(key: str, index: int, item: Mapping[str, Any]) -> str:
    # Name a record by its id when it has a usable one: easier to find than an index.
    record_id = item.get("id")
    if isinstance(record_id, str) and re.fullmatch(ID_PATTERN, record_id):
        return f"{key}.{record_id}"
    return f"{key}[{index}]"


def _validate(
    model: type[_M], item: Mapping[str, Any], file: str, prefix: str, problems: list[Problem]
) -> _M | None:
    try:
        return model.model_validate(item)
    except ValidationError as error:
        details = error.errors()
        for detail in details:
            if _counted_short_because_of_bad_items(detail, details):
                continue
            field = _location(detail["loc"])
            full = f"{prefix}.{field}" if prefix and field else (prefix or field or "-")
            problems.append(Problem(file, full, _message(detail)))
        return None


def _counted_short_because_of_bad_items(detail: ErrorDetails, details: list[ErrorDetails]) -> bool:
    # Pydantic counts only the valid items, so one empty step among three also reports "at least
    # 3 items (has 3)"; the item's own error is the one that helps.
    loc = tuple(detail["loc"])
    return detail["type"] == "too_short" and any(
        len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in details
    )


def _location(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _message(detail: ErrorDetails) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind in {"string_too_long", "too_long", "string_too_short", "too_short"}:
        most = kind.endswith("too_long")
        limit = ctx.get("max_length" if most else "min_length")
        unit = "characters" if kind.startswith("string") else "items"
        has = f" (has {len(value)})" if isinstance(value, str | list | tuple) else ""
        return f"should have at {'most' if most else 'least'} {limit} {unit}{has}"
    if kind == "string_pattern_mismatch":
        return "should be lower-case kebab-case, e.g. 'box-breathing'"
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
