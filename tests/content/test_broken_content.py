"""Broken content is reported one problem per line, naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.content import check_content, load_content
from bot.core.problems import ContentInvalid, Problem

SKILL = """
[[skills]]
id = "{id}"
title = "A calm breath"
why = "Slow breathing settles the body."
steps = ["Sit comfortably.", "Breathe in for four.", "Breathe out for six."]
minutes = 3
reflection = "What changed?"
category = "life_skills"
kind = "body_and_breath"
good_for = ["stress", "anxiety"]
"""

PROMPT = """
[[prompts]]
id = "{id}"
text = "What helps you slow down?"
tags = ["life_skills", "stress"]
skills = [{skills}]
"""

EMOTIONS = """
[[families]]
id = "calm"
label = "Calm"
words = [{ value = "calm", label = "Calm" }, { value = "at-ease", label = "At ease" }]
"""


def write_tree(
    root: Path,
    *,
    skills: dict[str, str] | None = None,
    prompts: dict[str, str] | None = None,
    emotions: str = EMOTIONS,
) -> Path:
    """A small valid content tree; pass file texts to replace or add files."""
    (root / "skills").mkdir(parents=True)
    (root / "prompts").mkdir()
    skill_files = {"breath.toml": SKILL.format(id="calm-breath") + SKILL.format(id="slow-breath")}
    skill_files.update(skills or {})
    prompt_files = {"general.toml": PROMPT.format(id="slow-down", skills='"calm-breath"')}
    prompt_files.update(prompts or {})
    for name, text in skill_files.items():
        (root / "skills" / name).write_text(text, encoding="utf-8")
    for name, text in prompt_files.items():
        (root / "prompts" / name).write_text(text, encoding="utf-8")
    (root / "emotions.toml").write_text(emotions, encoding="utf-8")
    return root


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_valid_tree_loads(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    assert check_content(root) == []
    content = load_content(root)
    assert set(content.skills) == {"calm-breath", "slow-breath"}
    assert content.prompts["slow-down"].skills == ("calm-breath",)
    assert content.prompts["slow-down"].mode == "both"


def test_missing_field(tmp_path: Path) -> None:
    text = SKILL.format(id="no-minutes").replace("minutes = 3\n", "")
    problem = only(check_content(write_tree(tmp_path, skills={"broken.toml": text})))
    assert problem == Problem("skills/broken.toml", "skills.no-minutes.minutes", "is required")


def test_bad_category(tmp_path: Path) -> None:
    text = SKILL.format(id="odd-one").replace('"life_skills"', '"resilience"')
    problem = only(check_content(write_tree(tmp_path, skills={"broken.toml": text})))
    assert (problem.file, problem.field) == ("skills/broken.toml", "skills.odd-one.category")
    assert "'bonding'" in problem.message and "'life_skills'" in problem.message


def test_bad_good_for_tag_names_its_position(tmp_path: Path) -> None:
    text = SKILL.format(id="odd-tag").replace('["stress", "anxiety"]', '["stress", "worry"]')
    problem = only(check_content(write_tree(tmp_path, skills={"broken.toml": text})))
    assert (problem.file, problem.field) == ("skills/broken.toml", "skills.odd-tag.good_for[1]")


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    problem = only(check_content(write_tree(tmp_path, skills={"more.toml": SKILL.format(id="calm-breath")})))
    assert (problem.file, problem.field) == ("skills/more.toml", "skills.calm-breath.id")
    assert "skills/breath.toml" in problem.message


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    text = SKILL.format(id="twice") + SKILL.format(id="twice")
    problem = only(check_content(write_tree(tmp_path, skills={"more.toml": text})))
    assert (problem.field, problem.message) == (
        "skills.twice.id",
        "duplicate id, already used earlier in this file",
    )


def test_unknown_skill_reference(tmp_path: Path) -> None:
    text = PROMPT.format(id="typo", skills='"calm-breath", "calm-breth"')
    problem = only(check_content(write_tree(tmp_path, prompts={"more.toml": text})))
    assert (problem.file, problem.field) == ("prompts/more.toml", "prompts.typo.skills[1]")
    assert "'calm-breth'" in problem.message and "did you mean 'calm-breath'" in problem.message


def test_unknown_prompt_tag(tmp_path: Path) -> None:
    text = PROMPT.format(id="odd-tag", skills="").replace('"stress"]', '"happiness"]')
    problem = only(check_content(write_tree(tmp_path, prompts={"more.toml": text})))
    assert (problem.file, problem.field) == ("prompts/more.toml", "prompts.odd-tag.tags")
    assert "'happiness'" in problem.message


def test_too_many_steps(tmp_path: Path) -> None:
    steps = ", ".join(f'"Step {n}."' for n in range(8))
    text = SKILL.format(id="long-one").replace(
        'steps = ["Sit comfortably.", "Breathe in for four.", "Breathe out for six."]', f"steps = [{steps}]"
    )
    problem = only(check_content(write_tree(tmp_path, skills={"broken.toml": text})))
    assert problem == Problem(
        "skills/broken.toml", "skills.long-one.steps", "should have at most 7 items (has 8)"
    )


def test_step_too_long_and_empty_step(tmp_path: Path) -> None:
    text = SKILL.format(id="wordy").replace('"Sit comfortably."', '"' + "x" * 301 + '", "  "')
    problems = check_content(write_tree(tmp_path, skills={"broken.toml": text}))
    assert [(p.field, p.message) for p in problems] == [
        ("skills.wordy.steps[0]", "should have at most 300 characters (has 301)"),
        ("skills.wordy.steps[1]", "must not be empty"),
    ]


def test_bad_toml_syntax(tmp_path: Path) -> None:
    text = SKILL.format(id="fine").replace("minutes = 3", "minutes = = 3")
    problem = only(check_content(write_tree(tmp_path, skills={"broken.toml": text})))
    assert (problem.file, problem.field) == ("skills/broken.toml", "(syntax)")
    assert problem.message.startswith("invalid TOML")


def test_misspelt_field_is_reported(tmp_path: Path) -> None:
    text = SKILL.format(id="typo").replace("reflection =", "reflexion =")
    problems = check_content(write_tree(tmp_path, skills={"broken.toml": text}))
    assert {(p.field, p.message) for p in problems} == {
        ("skills.typo.reflection", "is required"),
        ("skills.typo.reflexion", "unknown field (check the spelling)"),
    }


def test_bad_id_is_named_by_position(tmp_path: Path) -> None:
    problem = only(
        check_content(write_tree(tmp_path, skills={"broken.toml": SKILL.format(id="Calm Breath")}))
    )
    assert (problem.file, problem.field) == ("skills/broken.toml", "skills[0].id")
    assert "kebab-case" in problem.message


def test_wrong_top_level_key(tmp_path: Path) -> None:
    text = SKILL.format(id="fine").replace("[[skills]]", "[[skill]]")
    problems = check_content(write_tree(tmp_path, skills={"broken.toml": text}))
    assert [(p.file, p.field) for p in problems] == [
        ("skills/broken.toml", "skill"),
        ("skills/broken.toml", "skills"),
    ]


def test_stray_yaml_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    (root / "skills" / "extra.yaml").write_text("id: x\n", encoding="utf-8")
    (root / "skills" / "README.md").write_text("notes\n", encoding="utf-8")
    problem = only(check_content(root))
    assert problem.file == "skills/extra.yaml"


def test_emotion_family_too_large_and_duplicate_value(tmp_path: Path) -> None:
    words = ", ".join(f'{{ value = "w{n}", label = "W{n}" }}' for n in range(26))
    emotions = EMOTIONS + f'\n[[families]]\nid = "big"\nlabel = "Big"\nwords = [{words}]\n'
    problem = only(check_content(write_tree(tmp_path, emotions=emotions)))
    assert (problem.file, problem.field) == ("emotions.toml", "families[1].words")
    assert "at most 25 items (has 26)" in problem.message

    again = tmp_path / "again"
    emotions = (
        EMOTIONS
        + '\n[[families]]\nid = "other"\nlabel = "Other"\nwords = [{ value = "calm", label = "C" }]\n'
    )
    problem = only(check_content(write_tree(again, emotions=emotions)))
    assert (problem.file, problem.field) == ("emotions.toml", "families")
    assert "'calm'" in problem.message


def test_missing_emotions_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    (root / "emotions.toml").unlink()
    assert only(check_content(root)) == Problem("emotions.toml", "-", "file not found")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    broken_skill = SKILL.format(id="bad-kind").replace('"body_and_breath"', '"breathing"')
    broken_prompt = PROMPT.format(id="bad-ref", skills='"nowhere"')
    root = write_tree(tmp_path, skills={"a.toml": broken_skill}, prompts={"b.toml": broken_prompt})
    problems = check_content(root)
    assert {p.file for p in problems} == {"skills/a.toml", "prompts/b.toml"}


def test_load_content_raises_with_one_line_per_problem(tmp_path: Path) -> None:
    text = SKILL.format(id="no-why").replace('why = "Slow breathing settles the body."\n', "")
    root = write_tree(tmp_path, skills={"broken.toml": text})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    assert raised.value.problems == check_content(root)
    assert str(raised.value) == "skills/broken.toml: skills.no-why.why: is required"


def test_extra_validators_run(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    seen: list[Path] = []

    def crisis_stub(where: Path) -> list[Problem]:
        seen.append(where)
        return [Problem("crisis.toml", "lines", "no lines for this region")]

    assert check_content(root, extra_validators=[crisis_stub]) == [
        Problem("crisis.toml", "lines", "no lines for this region")
    ]
    assert seen == [root]
    with pytest.raises(ContentInvalid):
        load_content(root, extra_validators=[crisis_stub])


# -- one cause, one line: what a broken skill does not add ---------------------------------------


def test_a_syntax_error_is_reported_alone_not_with_the_references_it_breaks(tmp_path: Path) -> None:
    # The prompt names skills in the broken file; those are not "unknown", just unreadable.
    broken = SKILL.format(id="fine").replace("minutes = 3", "minutes = = 3")
    prompt = PROMPT.format(id="uses-it", skills='"fine", "calm-breath"')
    root = write_tree(tmp_path, skills={"broken.toml": broken}, prompts={"more.toml": prompt})
    problem = only(check_content(root))
    assert (problem.file, problem.field) == ("skills/broken.toml", "(syntax)")


def test_a_broken_skill_is_one_line_where_it_is_and_real_typos_still_show(tmp_path: Path) -> None:
    broken = SKILL.format(id="odd-one").replace('"life_skills"', '"resilience"')
    prompt = PROMPT.format(id="uses-it", skills='"odd-one", "calm-breth"')
    root = write_tree(tmp_path, skills={"broken.toml": broken}, prompts={"more.toml": prompt})
    problems = check_content(root)
    assert [(p.file, p.field) for p in problems] == [
        ("skills/broken.toml", "skills.odd-one.category"),
        ("prompts/more.toml", "prompts.uses-it.skills[1]"),  # calm-breth: a typo, reported
    ]


def test_a_missing_skills_folder_is_one_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    for path in (root / "skills").iterdir():
        path.unlink()
    (root / "skills").rmdir()
    assert only(check_content(root)) == Problem("skills/", "-", "folder not found")


def test_problems_read_as_words(tmp_path: Path) -> None:
    from bot.validation import folder_missing, format_problem

    assert format_problem(Problem("skills/a.toml", "skills.x.minutes", "is required")) == (
        "skills/a.toml: skills.x.minutes: is required"
    )
    # No "-" for a whole file; under a root, the path an operator can open.
    assert format_problem(Problem("emotions.toml", "-", "file not found"), tmp_path) == (
        f"{tmp_path.as_posix()}/emotions.toml: file not found"
    )
    missing = folder_missing(tmp_path / "nope")
    assert missing is not None
    assert missing.startswith(f"CONTENT_PATH: the content folder {tmp_path / 'nope'} does not exist")
    assert ": -:" not in missing
    assert folder_missing(tmp_path) is None
