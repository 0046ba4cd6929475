"""The fuzz suite's own checks catch what they are meant to catch."""

from __future__ import annotations

from tests.fuzz.strategies import fit
from tests.fuzz.support import limit_problems, mention_problems


def test_a_message_over_the_limits_is_caught() -> None:
    assert limit_problems({"content": "x" * 2000}) == []
    assert limit_problems({"content": "x" * 2001})
    assert limit_problems({"embeds": [{"description": "x" * 4097}]})
    assert limit_problems({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]})
    assert limit_problems({"embeds": [{}] * 11})
    assert limit_problems({"components": [{"type": 1, "components": [{"type": 2, "custom_id": "x" * 101}]}]})
    assert limit_problems({"title": "x" * 46, "custom_id": "m", "components": []})


def test_a_mass_or_role_mention_is_caught() -> None:
    safe = {"parse": ["users"]}
    assert mention_problems({"content": "@everyone hi", "allowed_mentions": safe}) == []
    assert mention_problems({"content": "@everyone hi"})
    assert mention_problems({"content": "<@&1> hi"})
    assert mention_problems({"content": "hi", "allowed_mentions": {"parse": ["everyone"]}})
    assert mention_problems({"content": "hi", "allowed_mentions": {"parse": [], "roles": ["1"]}})
    assert (
        mention_problems({"content": "hi", "allowed_mentions": {"parse": ["roles"]}}, role_pings_allowed=True)
        == []
    )


def test_fitted_values_are_what_a_client_could_send() -> None:
    assert fit("   ", 0, 10) == "x"
    assert fit("a\nb", 0, 10) == "a b"
    assert fit("a\nb", 0, 10, multiline=True) == "a\nb"
    assert len(fit("y" * 9000, 0, 6000)) == 6000
    assert len(fit("", 3, 5)) == 3
