"""Privacy commands through simcord: /privacy, /mydata, /agreement, /retention, /audit, leaving."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.db import to_db_time
from tests.conftest import Group, agree, allow_command, expected_errors


async def night(group: Group, days: int) -> None:
    """Move to 03:31 London time ``days`` after the start and run what is due (the clean-up)."""
    start = group.clock.now().replace(hour=3, minute=31)
    group.clock.set(start + timedelta(days=days))
    await group.bot.scheduler.run_due()


async def joined(group: Group, index: int = 0) -> None:
    """The member agrees through /privacy, the first thing that stores anything."""
    actor = group.members[index]
    await agree(actor, await actor.slash(group.general, "privacy"))


async def test_privacy_asks_consent_first_and_stores_nothing_before(group: Group) -> None:
    member = group.member
    shown = await member.slash(group.general, "privacy")
    assert shown.ephemeral
    assert "Before I save anything" in shown.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None
    await member.click(shown.response.message, label="Not now")
    assert await group.bot.members.get(group.guild.id, member.id) is None

    panel = await agree(member, await member.slash(group.general, "privacy"))
    embed = panel.response.embeds[0]
    assert embed.title == "Your privacy choices"
    assert embed.fields[0].value == "Private: only you see them"


async def test_privacy_changes_every_choice_through_members(group: Group) -> None:
    member = group.member
    await joined(group)
    shown = await member.slash(group.general, "privacy")
    message = shown.response.message
    await member.select(message, ["aggregate"], custom_id="privacy:share")
    await member.click(message, label="Turn public celebrations on")
    await member.click(message, label="Turn follow-up on")
    changed = await member.click(message, label="Turn crisis replies off")
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None
    assert stored.share_checkins == "aggregate"
    assert stored.public_celebrations and stored.facilitator_followup and not stored.crisis_replies
    fields = {f.name: f.value for f in changed.response.embeds[0].fields}
    assert fields["Check-ins"] == "Facilitators see group totals only, never your name"
    assert fields["Automatic crisis replies"] == "Off"
    again = await member.slash(group.general, "privacy")
    await member.select(again.response.message, ["named"], custom_id="privacy:share")
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.share_checkins == "named"


async def test_export_sends_json_and_summary_only_to_the_member(group: Group) -> None:
    member = group.member
    await joined(group)
    await group.bot.members.set_timezone(group.guild.id, member.id, "Europe/Paris")
    result = await member.slash(group.general, "mydata export")
    assert result.ephemeral
    names = sorted(a.filename for a in result.response.attachments)
    assert names == ["my-data.json", "my-data.txt"]
    files = {a.filename: await a.read() for a in result.response.attachments}
    document = json.loads(files["my-data.json"])
    assert document["member_id"] == str(member.id)
    [row] = document["tables"]["members"]
    assert row["timezone"] == "Europe/Paris"
    assert "Europe/Paris" in files["my-data.txt"].decode()
    # Nothing about another member.
    assert str(group.members[1].id) not in files["my-data.json"].decode()


async def test_export_when_nothing_stored(group: Group) -> None:
    result = await group.member.slash(group.general, "mydata export")
    assert "don't store anything" in result.response.content


async def test_delete_needs_confirmation_then_removes_and_reports(group: Group) -> None:
    member = group.member
    await joined(group)
    await joined(group, 1)
    shown = await member.slash(group.general, "mydata delete")
    assert "can't be undone" in shown.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is not None
    await member.click(shown.response.message, label="Cancel")
    assert await group.bot.members.get(group.guild.id, member.id) is not None

    shown = await member.slash(group.general, "mydata delete")
    done = await member.click(shown.response.message, label="Delete my data in this group")
    assert "membership and privacy choices: 1" in done.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None
    assert await group.bot.members.get(group.guild.id, group.members[1].id) is not None
    # Using the bot again asks for consent again.
    again = await member.slash(group.general, "privacy")
    assert "Before I save anything" in again.response.content


async def test_agreement_edit_changes_text_and_asks_members_again(group: Group) -> None:
    member = group.member
    await joined(group)
    shown = await group.facilitator.slash(group.general, "agreement edit")
    assert shown.modal is not None
    saved = await group.facilitator.submit_modal(
        shown, {"agreement:title": "Tuesday circle", "agreement:body": "We keep each other's stories safe."}
    )
    assert "version 2" in saved.response.content
    read = await member.slash(group.general, "agreement show")
    embed = read.response.embeds[0]
    assert embed.title.startswith("Tuesday circle")
    assert embed.description == "We keep each other's stories safe."

    asked = await member.slash(group.general, "privacy")
    assert "The group agreement has changed" in asked.response.content
    assert asked.response.embeds[0].description == "We keep each other's stories safe."
    panel = await agree(member, asked)
    assert panel.response.embeds[0].title == "Your privacy choices"
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.consented_version == 2

    reset = await group.facilitator.slash(group.general, "agreement reset")
    assert "version 3" in reset.response.content
    read = await member.slash(group.general, "agreement show")
    assert read.response.embeds[0].title.startswith("Our group agreement")


async def test_facilitator_commands_refuse_plain_members(group: Group) -> None:
    member = group.member
    # Hidden commands are only hidden: even when an admin shows them to a member, the check refuses.
    allow_command(group, "retention", member)
    for name, options in [
        ("agreement edit", {}),
        ("agreement reset", {}),
        ("retention show", {}),
        ("retention set", {"leave_days": 0}),
    ]:
        await member.slash(group.general, name, **options)
    refusals = expected_errors(group.env)
    assert len(refusals) == 4
    assert all("for the group's facilitators" in r for r in refusals)
    assert await group.bot.consent.own_agreement(group.guild.id) is None


async def test_audit_is_for_admins_and_lists_actions_without_content(group: Group) -> None:
    await group.facilitator.slash(group.general, "retention set", leave_days=7, notes_days=90)
    shown = await group.facilitator.slash(group.general, "agreement edit")
    await group.facilitator.submit_modal(shown, {"agreement:title": "T", "agreement:body": "secret words"})
    await joined(group)
    confirm = await group.member.slash(group.general, "mydata delete")
    await group.member.click(confirm.response.message, label="Delete my data in this group")

    log = await group.admin.slash(group.general, "audit", days=7)
    text = log.response.embeds[0].description
    assert "changed how long data is kept (leave 30→7 days, notes 180→90 days)" in text
    assert "edited the group agreement (version 2)" in text
    assert "deleted their own data" in text
    assert "secret words" not in text

    await group.facilitator.slash(group.general, "audit")
    assert any("Manage Server" in e for e in expected_errors(group.env))


async def test_leaving_then_purge_after_grace(group: Group) -> None:
    await joined(group)
    await joined(group, 1)
    leaver = group.member
    group.guild.remove_member(leaver)
    await group.env.settle()
    stored = await group.bot.members.get(group.guild.id, leaver.id)
    assert stored is not None and stored.left
    # Nightly clean-up before the grace is over keeps them; after 30 days they are gone.
    await night(group, 30)  # 29 days and 20 hours after leaving
    assert await group.bot.members.get(group.guild.id, leaver.id) is not None
    await night(group, 1)
    assert await group.bot.members.get(group.guild.id, leaver.id) is None
    assert await group.bot.members.get(group.guild.id, group.members[1].id) is not None


async def test_leave_days_zero_deletes_at_once(group: Group) -> None:
    await group.facilitator.slash(group.general, "retention set", leave_days=0)
    await joined(group)
    group.guild.remove_member(group.member)
    await group.env.settle()
    assert await group.bot.members.get(group.guild.id, group.member.id) is None


async def test_daily_purge_clears_old_notes(group: Group) -> None:
    await group.facilitator.slash(group.general, "retention set", notes_days=30)
    await joined(group)
    db = group.bot.db
    old = to_db_time(group.clock.now() - timedelta(days=40))
    new = to_db_time(group.clock.now() - timedelta(days=2))
    for day, when in [("2026-10-14", old), ("2026-11-21", new)]:
        await db.execute(
            "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
            "VALUES (?, ?, ?, 3, 'a private note', ?, ?)",
            (group.guild.id, group.member.id, day, when, when),
        )
    await night(group, 1)
    rows = await db.fetch_all("SELECT local_date, note FROM checkins ORDER BY local_date")
    assert [(r["local_date"], r["note"]) for r in rows] == [
        ("2026-10-14", None),
        ("2026-11-21", "a private note"),
    ]


async def test_crisis_replies_choice_is_honoured_both_ways(group: Group) -> None:
    member = group.member
    await joined(group)
    # Switched off from the crisis DM's own button...
    await member.send(group.general, "everyone would be better off without me")
    dm = member.user.dm_channel.history()[-1]
    await member.user.click(dm, label="Turn off automatic replies")
    # ... and back on from /privacy: the next message gets a private reply again.
    shown = await member.slash(group.general, "privacy")
    await member.click(shown.response.message, label="Turn crisis replies on")
    group.clock.set(group.clock.now() + timedelta(hours=7))
    before = len(member.user.dm_channel.history())
    await member.send(group.general, "everyone would be better off without me")
    assert len(member.user.dm_channel.history()) == before + 1
    # Off from /privacy: nothing more is sent.
    shown = await member.slash(group.general, "privacy")
    await member.click(shown.response.message, label="Turn crisis replies off")
    group.clock.set(group.clock.now() + timedelta(hours=7))
    await member.send(group.general, "everyone would be better off without me")
    assert len(member.user.dm_channel.history()) == before + 1
