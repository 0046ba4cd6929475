"""The AutoMod keyword file: the shipped one fits Discord's limits, a broken one is named field by
field, and a match's level is its keyword's."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.core.checkup import intent_checks
from bot.core.problems import ContentInvalid
from bot.crisis.automod import MAX_KEYWORD_LENGTH, MAX_KEYWORDS, load_automod, validate_automod

SHIPPED = Path(__file__).resolve().parents[2] / "content" / "crisis" / "automod.toml"


def test_the_shipped_keywords_fit_discords_limits_and_have_both_levels():
    assert validate_automod(SHIPPED) == []
    keywords = load_automod(SHIPPED)
    assert 0 < len(keywords.keywords) <= MAX_KEYWORDS
    assert all(len(k) <= MAX_KEYWORD_LENGTH for k in keywords.keywords)
    assert keywords.level_of("*kill myself*") == "urgent"
    assert keywords.level_of("*want to die*") == "concern"
    # Discord reports the keyword as the rule holds it; one a moderator added by hand is a concern.
    assert keywords.level_of(" *KILL MYSELF* ") == "urgent"
    assert keywords.level_of("something added in discord") == "concern"
    assert keywords.level_of(None) == "concern"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "automod.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_file_names_the_file_and_the_field(tmp_path):
    path = _write(
        tmp_path,
        f'[urgent]\nkeywords = ["ok one", "{"x" * (MAX_KEYWORD_LENGTH + 1)}", ""]\n'
        '[concern]\nkeywords = "not a list"\n[worried]\nkeywords = []\n',
    )
    problems = {(p.field, p.message.split(";")[0]) for p in validate_automod(path)}
    assert all(p.file == str(path) for p in validate_automod(path))
    assert ("urgent.keywords[1]", f"is {MAX_KEYWORD_LENGTH + 1} characters") in problems
    assert ("urgent.keywords[2]", "must be a word or phrase, not empty") in problems
    assert ("concern.keywords", "must be a list of keywords") in problems
    assert ("worried", "unknown level") in problems
    with pytest.raises(ContentInvalid):
        load_automod(path)


def test_a_syntax_error_or_an_empty_file_is_one_clear_problem(tmp_path):
    (problem,) = validate_automod(_write(tmp_path, "[urgent\n"))
    assert problem.field == "(file)"
    (problem,) = validate_automod(_write(tmp_path, "[urgent]\nkeywords = []\n"))
    assert problem.message == "has no keywords"


def test_too_many_keywords_is_refused(tmp_path):
    words = ", ".join(f'"word{n}"' for n in range(MAX_KEYWORDS + 1))
    (problem,) = validate_automod(_write(tmp_path, f"[concern]\nkeywords = [{words}]\n"))
    assert f"Discord allows {MAX_KEYWORDS}" in problem.message


def test_without_message_content_the_intent_is_not_checked():
    flags = discord.ApplicationFlags(gateway_guild_members=True, gateway_message_content=False)
    asked = intent_checks(flags)
    assert [c.ok for c in asked] == [True, False]
    not_asked = intent_checks(flags, message_content=False)
    assert all(c.ok for c in not_asked)
    assert any("MESSAGE_CONTENT_INTENT=false" in c.what for c in not_asked)
