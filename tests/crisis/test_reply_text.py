"""The words themselves: every country's reply fits Discord and says what safety.md asks."""

from __future__ import annotations

import pytest

from bot.crisis.reply import (
    GROUNDING_STEPS,
    NOT_MONITORED,
    channel_pointer,
    crisis_message,
    grounding_step,
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
