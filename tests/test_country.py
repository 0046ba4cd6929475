"""``/country``: a member's own country for helplines, with consent first and the group's as fallback."""

from __future__ import annotations

import json

from tests.conftest import Group, agree, expected_errors

CONCERN = "honestly I want to die"


def _bot_dms(group: Group, actor) -> list:
    return [m for m in actor.user.dm_channel.history() if m.author.id == group.bot.user.id]


async def _set_us(group: Group, actor) -> None:
    saved = await agree(actor, await actor.slash(group.general, "country", code="US"))
    assert "United States (US)" in saved.response.content


async def test_own_country_gives_its_helplines_and_other_members_keep_the_groups(group: Group) -> None:
    member, other = group.members[0], group.members[1]
    await _set_us(group, member)

    await member.send(group.general, CONCERN)
    [reply] = _bot_dms(group, member)
    assert "988" in reply.content and "Samaritans" not in reply.content
    shown = await member.slash(group.general, "resources")
    assert "988" in shown.response.content and "116 123" not in shown.response.content

    await other.send(group.general, CONCERN)
    [reply] = _bot_dms(group, other)
    assert "Samaritans" in reply.content and "988" not in reply.content
    shown = await other.slash(group.general, "resources")
    assert "116 123" in shown.response.content and "988" not in shown.response.content
    assert not expected_errors(group.env)


async def test_nothing_is_stored_before_consent_and_not_now_stores_nothing(group: Group) -> None:
    member = group.member
    shown = await member.slash(group.general, "country", code="US")
    assert shown.ephemeral
    assert "Before I save anything" in shown.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None
    later = await member.click(shown.response.message, label="Not now")
    assert "Nothing about you was saved" in later.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None
    resources = await member.slash(group.general, "resources")
    assert "Samaritans" in resources.response.content


async def test_saved_reply_says_what_it_is_for_and_the_current_one_is_shown(group: Group) -> None:
    member = group.member
    before = await member.slash(group.general, "country")
    assert before.ephemeral
    assert "The group's: **Britain (UK) (GB)**" in before.response.content
    assert "`/resources`" in before.response.content and "private message" in before.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None  # looking stores nothing

    saved = await agree(member, await member.slash(group.general, "country", code="us"))
    text = saved.response.content
    assert "Saved: your country is **United States (US)**" in text
    assert "`/resources`" in text and "private message" in text
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country == "US"

    again = await member.slash(group.general, "country", code="IE")  # already agreed: no prompt
    assert again.ephemeral and "Ireland (IE)" in again.response.content
    shown = await member.slash(group.general, "country")
    assert "Yours: **Ireland (IE)**" in shown.response.content


async def test_unknown_code_is_a_kind_error_and_changes_nothing(group: Group) -> None:
    member = group.member
    await _set_us(group, member)
    refused = await member.slash(group.general, "country", code="XX")
    assert refused.ephemeral
    assert "`GB`" in refused.response.content and "`group`" in refused.response.content
    assert len(expected_errors(group.env)) == 1
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country == "US"


async def test_group_goes_back_to_the_groups_country(group: Group) -> None:
    member = group.member
    await _set_us(group, member)
    back = await member.slash(group.general, "country", code="group")
    assert "back to the group's country, **Britain (UK) (GB)**" in back.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country is None
    shown = await member.slash(group.general, "resources")
    assert "Samaritans" in shown.response.content and "988" not in shown.response.content


async def test_group_without_an_own_country_asks_nothing_and_stores_nothing(group: Group) -> None:
    member = group.member
    back = await member.slash(group.general, "country", code="Group")
    assert "Before I save anything" not in back.response.content
    assert "group's country" in back.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None


async def test_autocomplete_offers_countries_and_the_way_back(group: Group) -> None:
    choices = await group.member.autocomplete(group.general, "country", "code", "united st")
    assert choices[0]["value"] == "US"
    choices = await group.member.autocomplete(group.general, "country", "code", "gro")
    assert choices[0]["value"] == "group"
    choices = await group.member.autocomplete(group.general, "country", "code", "")
    assert choices[0]["value"] == "group" and len(choices) <= 25


async def test_country_in_dms_applies_to_every_group_and_the_dm_crisis_reply(group: Group) -> None:
    member = group.member
    await agree(member, await member.slash(group.general, "privacy"))
    saved = await member.user.slash("country", code="US")
    assert saved.ephemeral and "United States (US)** in all your groups" in saved.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country == "US"
    shown = await member.user.slash("country")
    assert "Yours: **United States (US)**" in shown.response.content

    await member.user.send_dm(CONCERN)
    [reply] = _bot_dms(group, member)
    assert "988" in reply.content and "Samaritans" not in reply.content
    resources = await member.user.slash("resources")
    assert "988" in resources.response.content

    back = await member.user.slash("country", code="group")
    assert "in all your groups" in back.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country is None
    resources = await member.user.slash("resources")
    assert "Samaritans" in resources.response.content


async def test_country_in_dms_without_a_group_explains_and_stores_nothing(group: Group) -> None:
    result = await group.members[1].user.slash("country", code="US")
    assert "inside your group's server first" in result.response.content
    assert await group.bot.members.get(group.guild.id, group.members[1].id) is None


async def test_export_includes_the_country(group: Group) -> None:
    member = group.member
    await _set_us(group, member)
    result = await member.slash(group.general, "mydata export")
    files = {a.filename: await a.read() for a in result.response.attachments}
    [row] = json.loads(files["my-data.json"])["tables"]["members"]
    assert row["country"] == "US"
    assert "country: US" in files["my-data.txt"].decode()
