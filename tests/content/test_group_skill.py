"""A facilitator-written skill is validated with the same rules as the shipped files."""

from __future__ import annotations

import pytest

from bot.core.content import Category, parse_skill_dict, slugify, split_steps, validate_skill_dict
from bot.core.problems import ContentInvalid


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "tea-break",
        "title": "A mindful tea break",
        "why": "A warm drink is a small pause you can take anywhere.",
        "steps": ["Make a cup of tea.", "Hold it and feel the warmth.", "Sip slowly, noticing the taste."],
        "minutes": "5",  # modal inputs are text
        "reflection": "What did you notice?",
        "category": "caring_and_support",
        "kind": "body_and_breath",
        "good_for": ["stress"],
    }
    data.update(changes)
    return data


def test_valid_group_skill() -> None:
    assert validate_skill_dict(form()) == []
    skill = parse_skill_dict(form())
    assert skill.minutes == 5
    assert skill.category is Category.CARING_AND_SUPPORT


def test_empty_steps_are_rejected() -> None:
    problems = validate_skill_dict(form(steps=[]))
    assert [(p.file, p.field, p.message) for p in problems] == [
        ("group skill", "steps", "should have at least 3 items (has 0)")
    ]


def test_overlong_text_is_rejected_with_its_length() -> None:
    problems = validate_skill_dict(form(why="x" * 3000, title="t" * 101))
    assert {(p.field, p.message) for p in problems} == {
        ("why", "should have at most 200 characters (has 3000)"),
        ("title", "should have at most 100 characters (has 101)"),
    }


def test_minutes_must_be_a_sensible_number() -> None:
    assert [p.field for p in validate_skill_dict(form(minutes="lots"))] == ["minutes"]
    assert [p.field for p in validate_skill_dict(form(minutes=0))] == ["minutes"]
    assert [p.field for p in validate_skill_dict(form(minutes=61))] == ["minutes"]


def test_taken_id_is_rejected() -> None:
    problems = validate_skill_dict(form(), existing_ids={"tea-break"}, source="skill form")
    assert [str(p) for p in problems] == ["skill form: id: a skill with id 'tea-break' already exists"]


def test_parse_raises_content_invalid() -> None:
    with pytest.raises(ContentInvalid) as raised:
        parse_skill_dict(form(kind="napping"))
    assert [p.field for p in raised.value.problems] == ["kind"]


def test_split_steps_from_modal_text() -> None:
    text = "1. Make tea\n\n2) Hold the cup\n- Sip slowly  \n   \n• Notice the taste"
    assert split_steps(text) == ["Make tea", "Hold the cup", "Sip slowly", "Notice the taste"]


def test_slugify() -> None:
    assert slugify("  Box breathing, my way!  ") == "box-breathing-my-way"
    assert slugify("!!!") == "skill"
    assert len(slugify("word " * 40)) <= 50
