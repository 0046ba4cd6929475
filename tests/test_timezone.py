"""``/timezone``: a member's own zone, with consent first, forgiving search and kind errors."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.timezones import search_zones
from cogs.timezone import wall_clock
from tests.conftest import agree, expected_errors


def test_search_finds_cities_people_type():
    assert search_zones("London")[0] == "Europe/London"
    assert search_zones("new york")[0] == "America/New_York"
    assert search_zones("los angeles")[0] == "America/Los_Angeles"
    assert search_zones("londn")[0] == "Europe/London"  # a typo still finds it
    assert len(search_zones("")) > 0
    assert len(search_zones("a", limit=25)) <= 25


def test_wall_clock_is_the_zone_s_own_time_and_day():
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # already Tuesday in Asia
    assert wall_clock(late, ZoneInfo("America/New_York")) == "Monday 18:30 in America/New_York"
    assert wall_clock(late, ZoneInfo("Asia/Tokyo")) == "Tuesday 08:30 in Asia/Tokyo"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # DST: London is UTC+1
    assert wall_clock(summer, ZoneInfo("Europe/London")) == "Wednesday 13:00 in Europe/London"


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
    # 07:00 UTC is 02:00 in New York: the zone just chosen, as text. A <t:...> stamp would be
    # drawn in the reader's device zone, and could not confirm the choice.
    assert "It's Monday 02:00 in America/New_York now." in saved.response.content
    assert "<t:" not in saved.response.content
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
    assert "It's Monday 12:30 in Asia/Kolkata now." in again.response.content  # a half-hour zone
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
    assert "in all your groups" in result.response.content
    assert "It's Monday 18:00 in Australia/Sydney now." in result.response.content  # UTC+11 in November
    assert "<t:" not in result.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.timezone == "Australia/Sydney"


async def test_timezone_in_dms_without_a_group_explains(group):
    result = await group.members[1].user.slash("timezone", zone="Europe/Paris")
    assert "inside your group's server first" in result.response.content
