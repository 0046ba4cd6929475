"""/resources, /grounding and /safetyplan: private, for everyone, in servers and DMs."""

from __future__ import annotations

from tests.conftest import expected_errors


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


async def test_safety_plan_create_edit_view_export_and_only_the_owner_sees_it(group):
    owner, other = group.members[0], group.members[1]
    empty = await owner.slash(group.general, "safetyplan")
    assert empty.ephemeral
    embed = empty.response.embeds[0]
    assert embed.title == "My safety plan"
    assert embed.fields[0].name == "1. My warning signs"
    assert len(embed.fields) == 7

    modal = await owner.click(empty.response.message, label="Edit sections 1–4")
    assert modal.modal is not None
    saved = await owner.submit_modal(
        modal, {"warning_signs": "Not sleeping, pulling away", "people": "My sister Ana"}
    )
    fields = {f.name: f.value for f in saved.response.embeds[0].fields}
    assert fields["1. My warning signs"] == "Not sleeping, pulling away"
    assert fields["4. People I can ask for help"] == "My sister Ana"

    modal2 = await owner.click(saved.response.message, label="Edit sections 5–7")
    await owner.submit_modal(modal2, {"reasons": "My dog, the sea"})
    # Editing one part keeps what was written in the other.
    modal1 = await owner.click(saved.response.message, label="Edit sections 1–4")
    await owner.submit_modal(modal1, {"warning_signs": "Not sleeping", "people": "My sister Ana"})

    view = await owner.user.slash("safetyplan")  # the same plan in a DM
    fields = {f.name: f.value for f in view.response.embeds[0].fields}
    assert fields["1. My warning signs"] == "Not sleeping"
    assert fields["7. My reasons for living"] == "My dog, the sea"

    exported = await owner.user.click(view.response.message, label="Download as text")
    assert exported.ephemeral
    (attachment,) = exported.response.attachments
    assert attachment.filename == "my-safety-plan.txt"
    text = (await attachment.read()).decode()
    assert "My sister Ana" in text and "My dog, the sea" in text and "local emergency number" in text

    theirs = await other.slash(group.general, "safetyplan")
    shown = str(theirs.response.embeds[0].to_dict())
    assert "Ana" not in shown and "dog" not in shown
    # Every button acts on the clicker's own plan: their edit form starts empty.
    their_modal = await other.click(theirs.response.message, label="Edit sections 1–4")
    assert "Ana" not in str(their_modal.modal)
    assert "Download as text" not in str(theirs.response.components)


async def test_safety_plan_from_the_crisis_dm_and_delete(group):
    member = group.member
    await member.send(group.general, "I want to die")
    dm = member.user.dm_channel.history()[0]
    opened = await member.user.click(dm, label="My safety plan")
    assert opened.ephemeral
    modal = await member.user.click(opened.response.message, label="Edit sections 5–7")
    saved = await member.user.submit_modal(modal, {"professionals": "Dr Lee 020 0000 0000"})
    ask = await member.user.click(saved.response.message, label="Delete my plan")
    assert "can't be undone" in ask.response.content
    gone = await member.user.click(ask.response.message, label="Yes, delete it")
    assert "deleted" in gone.response.content
    assert await group.bot.db.fetch_all("SELECT * FROM safety_plans") == []


async def test_no_command_name_clashes_and_contexts(group):
    tree = group.bot.tree
    for name in ("resources", "grounding", "safetyplan"):
        command = tree.get_command(name)
        assert command is not None
        assert command.allowed_contexts is not None and command.allowed_contexts.dm_channel
        assert command.allowed_contexts.guild
