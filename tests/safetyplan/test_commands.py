"""/safetyplan: the person's own plan, in servers and DMs, from the crisis DM too; only theirs."""

from __future__ import annotations

import discord

from tests.conftest import restart


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


async def test_buttons_posted_before_the_upgrade_still_work(group):
    """A crisis DM and a plan card sent by an earlier release carry these ids; they still answer."""
    owner = group.member
    old = discord.ui.View(timeout=None)
    for custom_id in ("safetyplan:view", "safetyplan:edit:1", "safetyplan:export", "safetyplan:delete:ask"):
        old.add_item(discord.ui.Button(label=custom_id, custom_id=custom_id))
    user = await group.bot.fetch_user(owner.id)
    await user.send("An older release's buttons", view=old)
    message = owner.user.dm_channel.history()[0]
    # A new process: nothing but the registered persistent buttons knows these ids.
    await restart(group)
    opened = await owner.user.click(message, custom_id="safetyplan:view")
    assert opened.ephemeral and opened.response.embeds[0].title == "My safety plan"
    form = await owner.user.click(message, custom_id="safetyplan:edit:1")
    assert form.modal is not None
    exported = await owner.user.click(message, custom_id="safetyplan:export")
    assert exported.ephemeral
    ask = await owner.user.click(message, custom_id="safetyplan:delete:ask")
    assert ask.ephemeral and "can't be undone" in ask.response.content
