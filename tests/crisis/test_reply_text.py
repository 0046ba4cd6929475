"""The words themselves: every country's reply fits Discord and says what safety.md asks."""

from __future__ import annotations

import pytest

from bot.crisis.followup import followup_message, followup_talk
from bot.crisis.reply import (
    GROUNDING_STEPS,
    NOT_MONITORED,
    alert_message,
    channel_pointer,
    crisis_message,
    grounding_step,
    helper_message,
    resources_message,
    target_note,
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
    concern = crisis_message(res, "concern")
    # A concern reply names the route for immediate danger too, after the helplines.
    assert "immediate danger" not in concern.split("**People")[0]
    assert "immediate danger" in concern.split("**People")[1]
    if res.emergency is not None:
        assert all(n in concern for n in res.emergency.numbers)


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


@pytest.mark.parametrize("country", COUNTRIES)
def test_the_reply_about_someone_else_fits_and_gives_the_lines_and_the_emergency_route(country):
    res = resources_for(country)
    text = helper_message(res)
    assert len(text) <= 2000 and NOT_MONITORED in text
    assert "Ask them directly" in text and "Don't promise to keep it secret" in text
    assert "Look after yourself too" in text and "immediate danger" in text
    for service in res.services:
        assert service.name in text
    if res.emergency is not None:
        assert all(n in text for n in res.emergency.numbers)
    assert "committed suicide" not in text.lower()


def test_the_note_to_a_harassed_member_is_kind_and_honest_about_who_knows():
    told = target_note(facilitators_told=True)
    assert "not okay" in told and "facilitators know" in told and NOT_MONITORED in told
    assert "facilitators know" not in target_note(facilitators_told=False)


@pytest.mark.parametrize("country", COUNTRIES)
def test_the_check_in_fits_and_names_the_emergency_route(country):
    res = resources_for(country)
    for can_talk in (True, False):
        text = followup_message(res, can_talk=can_talk)
        assert len(text) <= 2000 and NOT_MONITORED in text and "immediate danger" in text
    assert "immediate danger" in followup_talk(res, already=False)


def test_alerts_by_reader_never_take_words_and_harassment_is_worded_apart():
    common = {"member_id": 1, "channel_id": 2, "jump_url": "https://x", "at_unix": 3, "status": "Open"}
    self_alert = alert_message(level="urgent", **common)
    other = alert_message(level="concern", reader="other", **common)
    harassment = alert_message(level="urgent", reader="harassment", target_id=4, recent_alerts=2, **common)
    assert "may need support" in self_alert and "someone else" not in self_alert
    assert "**about someone else**" in other
    assert "Moderation" in harassment and "<@4>" in harassment and "Urgent" not in harassment
    assert "2 alerts about this member" in harassment
    assert "the first alert" in self_alert
