"""The words themselves: every country's reply fits Discord and says what safety.md asks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.crisis.reply import (
    GROUNDING_STEPS,
    NOT_MONITORED,
    PLAN_PARTS,
    PLAN_SECTIONS,
    SECTION_MAX,
    channel_pointer,
    clean_plan,
    crisis_message,
    grounding_step,
    plan_as_text,
    resources_message,
)
from bot.crisis.resources import resources_for, shipped_resources

COUNTRIES = [*sorted(shipped_resources().countries), "KE", None]


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_reply_fits_and_says_it_is_automated_and_not_an_emergency_service(country):
    res = resources_for(country)
    for level in ("concern", "urgent"):
        text = crisis_message(res, level)
        assert len(text) <= 2000
        assert NOT_MONITORED in text
        assert "not alone" in text
        assert "committed suicide" not in text.lower()
    listing = resources_message(res)
    assert len(listing) <= 2000 and NOT_MONITORED in listing
    for service in res.services:
        assert service.name in listing


@pytest.mark.parametrize("country", COUNTRIES)
def test_urgent_leads_with_the_emergency_number_or_local_advice(country):
    res = resources_for(country)
    urgent = crisis_message(res, "urgent")
    if res.emergency is not None:
        assert all(n in urgent for n in res.emergency.numbers)
    else:
        assert "local emergency number" in urgent
    assert "immediate danger" not in crisis_message(res, "concern").split("**People")[0]


def test_text_lines_name_the_keyword_and_the_number():
    assert "text **SHOUT** to **85258**" in crisis_message(resources_for("GB"), "concern")
    assert "text **HOME** to **741741**" in crisis_message(resources_for("US"), "concern")


def test_pointer_names_only_the_member_and_a_private_command():
    text = channel_pointer("<@1>")
    assert text.startswith("<@1>") and "/resources" in text
    assert "116" not in text and "988" not in text


def test_grounding_steps_clamp():
    assert grounding_step(-3) == GROUNDING_STEPS[0]
    assert grounding_step(99) == GROUNDING_STEPS[-1]


def test_plan_parts_fit_a_modal():
    assert sum(len(p) for p in PLAN_PARTS) == len(PLAN_SECTIONS) == 7
    assert all(len(p) <= 5 for p in PLAN_PARTS)
    assert all(len(s.label) <= 45 and len(s.placeholder) <= 100 for s in PLAN_SECTIONS)
    # The whole plan stays inside an embed's 6,000 characters.
    assert sum(len(s.title) + SECTION_MAX for s in PLAN_SECTIONS) + 200 < 6000


@given(
    st.dictionaries(st.sampled_from([s.key for s in PLAN_SECTIONS] + ["evil", ""]), st.text(max_size=2000))
)
def test_clean_plan_keeps_only_known_non_empty_sections_within_limit(sections):
    cleaned = clean_plan(sections)
    assert set(cleaned) <= {s.key for s in PLAN_SECTIONS}
    assert all(0 < len(v) <= SECTION_MAX and v == v.strip() for v in cleaned.values())
    text = plan_as_text(cleaned)
    assert all(s.title in text for s in PLAN_SECTIONS)
