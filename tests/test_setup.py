from __future__ import annotations

import discord

from tests.conftest import allow_command, build_group, configure, expected_errors
from tests.support.cards import is_card, visible_text


async def test_admin_configures_group_and_show_lists_everything(simcord_env, simcord_bot, clock):
    group = build_group(simcord_env, simcord_bot, clock)
    await configure(group, timezone="America/New_York", country="us")
    result = await group.admin.slash(group.general, "setup time", purpose="checkin", time="8:30pm")
    assert result.ephemeral
    assert "20:30" in result.response.content
    assert "America/New_York" in result.response.content

    shown = await group.admin.slash(group.general, "setup show")
    text = visible_text(shown.response)
    assert is_card(shown.response)
    assert shown.ephemeral
    assert f"<#{group.channels['checkins'].id}>" in text
    assert f"<#{group.channels['alerts'].id}>" in text
    assert f"<@&{group.facilitator_role.id}>" in text
    assert "America/New_York" in text
    assert "United States (US)" in text
    assert "20:30" in text

    config = await simcord_bot.guilds_repo.get(group.guild.id)
    assert config.timezone == "America/New_York"
    # Every change is in the audit log, with who made it and never anything members wrote.
    audit = await group.admin.slash(group.general, "audit")
    log = audit.response.embeds[0].description
    assert f"<@{group.admin.id}> changed the group setup (timezone America/New_York)" in log
    assert "(checkin time 20:30)" in log
    assert config.country == "US"
    assert config.channel("wins") == group.channels["wins"].id


async def test_setup_is_hidden_from_members_and_refused_if_shown(simcord_env, simcord_bot, clock):
    group = build_group(simcord_env, simcord_bot, clock)
    # default_permissions hides /setup from plain members ...
    assert "setup" not in group.member.available_commands(group.general)
    # ... and if a server admin overrides that, the run-time check still refuses.
    allow_command(group, "setup", group.member)
    result = await group.member.slash(group.general, "setup timezone", zone="Europe/Paris")
    assert result.ephemeral
    assert "Manage Server" in result.response.content
    assert len(expected_errors(simcord_env)) == 1
    config = await simcord_bot.guilds_repo.get(group.guild.id)
    assert config.timezone is None


async def test_bad_setup_input_is_refused_kindly_and_changes_nothing(group):
    admin, general = group.admin, group.general
    bad_zone = await admin.slash(general, "setup timezone", zone="Mars/Olympus")
    assert bad_zone.ephemeral and "don't know the timezone" in bad_zone.response.content
    bad_time = await admin.slash(general, "setup time", purpose="skill", time="25:00")
    assert "`09:00` or `8:30pm`" in bad_time.response.content
    noonish = await admin.slash(general, "setup time", purpose="skill", time="noon-ish")
    assert "couldn't read" in noonish.response.content
    bad_country = await admin.slash(general, "setup country", code="XX")
    assert "two-letter country code" in bad_country.response.content
    everyone = await admin.slash(general, "setup facilitator-role", role=group.guild.default_role)
    assert "everyone a facilitator" in everyone.response.content
    assert len(expected_errors(group.env)) == 4
    config = await group.bot.guilds_repo.get(group.guild.id)
    assert config.timezone == "Europe/London"
    assert config.country == "GB"
    assert config.skill_time is None
    assert config.facilitator_role_id == group.facilitator_role.id


async def test_timezone_autocomplete_in_setup(group):
    choices = await group.admin.autocomplete(group.general, "setup timezone", "zone", "new york")
    assert choices[0]["value"] == "America/New_York"
    countries = await group.admin.autocomplete(group.general, "setup country", "code", "ger")
    assert countries[0]["value"] == "DE"


async def test_setup_is_guild_only(simcord_env, simcord_bot):
    setup = discord.utils.get(simcord_bot.tree.get_commands(), name="setup")
    assert setup.guild_only
    assert setup.default_permissions == discord.Permissions(manage_guild=True)


async def test_setup_check_lists_what_is_missing_privately(simcord_env, simcord_bot, clock):
    group = build_group(simcord_env, simcord_bot, clock)
    result = await group.admin.slash(group.general, "setup check")
    assert result.ephemeral
    text = result.response.content
    assert "Setup check for" in text
    assert "[!!] no timezone is set" in text
    assert "fix: in the server: /setup timezone zone:Europe/London" in text


async def test_setup_check_after_configuring_names_each_channel(simcord_env, simcord_bot, clock):
    group = build_group(simcord_env, simcord_bot, clock)
    await configure(group, timezone="America/New_York", country="us")
    text = (await group.admin.slash(group.general, "setup check")).response.content
    assert "[ok] Message Content intent is on" in text
    assert "[ok] timezone is America/New_York" in text
    assert "[ok] country for helplines is US" in text
    assert f"#{group.channels['checkins'].name} (checkins)" in text
