"""/resources and /grounding (and /safetyplan's contexts): private, for everyone, in servers and DMs."""

from __future__ import annotations

from cogs.crisis.automod import NOT_NEEDED
from tests.conftest import expected_errors
from tests.support.cards import visible_text


async def test_resources_in_the_server_shows_the_groups_country_privately(group):
    shown = await group.member.slash(group.general, "resources")
    assert shown.ephemeral
    text = shown.response.content
    assert "United Kingdom" in text and "116 123" in text and "SHOUT" in text and "85258" in text
    assert "999" in text
    assert "findahelpline.com" in text
    assert "not watched around the clock" in text and "not an emergency service" in text
    # Nothing was stored about the member: no consent is needed for help.
    assert await group.bot.members.get(group.guild.id, group.member.id) is None


async def test_resources_in_a_dm_and_for_another_country(group):
    user = group.member.user
    in_dm = await user.slash("resources")
    assert in_dm.ephemeral and "Samaritans" in in_dm.response.content
    us = await user.slash("resources", country="us")
    assert "988" in us.response.content and "911" in us.response.content
    assert "1-800-273-8255" not in us.response.content


async def test_resources_for_a_country_without_data_falls_back_to_directories(group):
    shown = await group.member.slash(group.general, "resources", country="KE")
    text = shown.response.content
    assert "don't have helplines for your country" in text
    assert "findahelpline.com" in text and "befrienders.org" in text
    assert "local emergency number" in text
    assert "not an emergency service" in text


async def test_resources_with_a_made_up_code_is_refused_kindly(group):
    shown = await group.member.slash(group.general, "resources", country="XX")
    assert shown.ephemeral and "`GB`" in shown.response.content
    assert len(expected_errors(group.env)) == 1


async def test_resources_country_autocomplete(group):
    choices = await group.member.autocomplete(group.general, "resources", "country", "irel")
    assert choices[0]["value"] == "IE"


async def test_grounding_walks_through_every_step_with_next(group):
    shown = await group.member.slash(group.general, "grounding")
    assert shown.ephemeral and "5-4-3-2-1" in shown.response.content
    seen = [shown.response.content]
    message = shown.response.message
    while True:
        step = await group.member.click(message, label="Next")
        message = step.response.message
        seen.append(message.content)
        if not message.components:
            break
    assert any("5 things you can see" in s for s in seen)
    assert any("1 thing you can taste" in s for s in seen)
    assert "Well done" in seen[-1]
    assert len(seen) == 7


async def test_grounding_in_a_dm_without_consent(group):
    shown = await group.member.user.slash("grounding")
    assert shown.ephemeral and "5-4-3-2-1" in shown.response.content


async def test_no_command_name_clashes_and_contexts(group):
    tree = group.bot.tree
    for name in ("resources", "grounding", "safetyplan"):
        command = tree.get_command(name)
        assert command is not None
        assert command.allowed_contexts is not None and command.allowed_contexts.dm_channel
        assert command.allowed_contexts.guild


async def test_crisis_automod_is_not_needed_while_the_bot_reads_messages(group):
    """With the Message Content intent on (the default) a rule would only double the alerts."""
    result = await group.facilitator.slash(group.general, "crisis automod", state="on")
    assert result.ephemeral
    said = result.followups[-1].content if result.followups else result.response.content
    assert said == NOT_NEEDED
    assert group.env.backend.get_guild(group.guild.id).auto_mod_rules == {}
    shown = visible_text((await group.admin.slash(group.general, "setup show")).response)
    assert "Message Content:" not in shown
