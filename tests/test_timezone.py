"""``/timezone``: a member's own zone, with consent first, forgiving search and kind errors."""

from __future__ import annotations

from bot.core.timezones import search_zones
from tests.conftest import agree, expected_errors


def test_search_finds_cities_people_type():
    assert search_zones("London")[0] == "Europe/London"
    assert search_zones("new york")[0] == "America/New_York"
    assert search_zones("los angeles")[0] == "America/Los_Angeles"
    assert search_zones("londn")[0] == "Europe/London"  # a typo still finds it
    assert len(search_zones("")) > 0
    assert len(search_zones("a", limit=25)) <= 25


async def test_autocomplete_offers_matching_zones(group):
    choices = await group.member.autocomplete(group.general, "timezone", "zone", "London")
    assert choices[0]["value"] == "Europe/London"
    choices = await group.member.autocomplete(group.general, "timezone", "zone", "new york")
    assert choices[0]["value"] == "America/New_York"


async def test_nothing_is_stored_before_consent_then_saved_after(group):
    member = group.member
    shown = await member.slash(group.general, "timezone", zone="new york")
    assert shown.ephemeral
    assert "Before I save anything" in shown.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None

    saved = await agree(member, shown)
    assert "America/New_York" in saved.response.content
    assert "<t:" in saved.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.timezone == "America/New_York"


async def test_not_now_stores_nothing(group):
    member = group.member
    shown = await member.slash(group.general, "timezone", zone="Europe/Paris")
    later = await member.click(shown.response.message, label="Not now")
    assert "Nothing about you was saved" in later.response.content
    assert await group.bot.members.get(group.guild.id, member.id) is None


async def test_consented_member_changes_zone_directly_and_can_see_it(group):
    member = group.member
    await agree(member, await member.slash(group.general, "timezone", zone="Europe/Paris"))
    again = await member.slash(group.general, "timezone", zone="Asia/Kolkata")
    assert "Asia/Kolkata" in again.response.content
    shown = await member.slash(group.general, "timezone")
    assert "Asia/Kolkata" in shown.response.content


async def test_unknown_zone_suggests_close_matches_and_stores_nothing(group):
    result = await group.member.slash(group.general, "timezone", zone="Europe/Londn")
    assert result.ephemeral
    assert "`Europe/London`" in result.response.content
    assert len(expected_errors(group.env)) == 1
    assert await group.bot.members.get(group.guild.id, group.member.id) is None


async def test_timezone_in_dms_updates_every_group(group):
    member = group.member
    await agree(member, await member.slash(group.general, "timezone", zone="Europe/Paris"))
    result = await member.user.slash("timezone", zone="Australia/Sydney")
    assert "Australia/Sydney" in result.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.timezone == "Australia/Sydney"


async def test_timezone_in_dms_without_a_group_explains(group):
    result = await group.members[1].user.slash("timezone", zone="Europe/Paris")
    assert "inside your group's server first" in result.response.content
