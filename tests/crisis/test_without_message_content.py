"""The bot without the Message Content intent (MESSAGE_CONTENT_INTENT=false), through simcord,
which blanks what such a bot may not read: it still answers crisis language in DMs to it and in
messages that mention it, and, once a facilitator runs ``/crisis automod on``, Discord's AutoMod
tells it of the rest."""

from __future__ import annotations

import logging

import discord
import pytest
from simcord.backend.errors import SetupError

from bot.core.settings import Settings
from bot.crisis.automod import RULE_NAME
from cogs.crisis.automod import NEEDS_ALERTS_CHANNEL, NEEDS_MANAGE_SERVER
from tests.conftest import build_group, show_facilitator_commands
from tests.support.cards import visible_text

# Discord approves the application for Server Members only.
APPROVED = discord.Intents.default()
APPROVED.members = True
pytestmark = pytest.mark.simcord(approved_intents=APPROVED)

URGENT = "i think im going to kill myself tonight"  # "*kill myself*" is an urgent keyword
CONCERN = "honestly i feel like a burden to everyone rn"  # "*burden to everyone*": concern
CALM = "had a good walk today, see everyone tuesday"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"message_content_intent": False})


def _rules(group):  # type: ignore[no-untyped-def]
    return list(group.env.backend.get_guild(group.guild.id).auto_mod_rules.values())


def _replies(member):  # type: ignore[no-untyped-def]
    channel = member.user.dm_channel
    return [m for m in channel.history() if "999" in m.content] if channel else []


def _alerts(group):  # type: ignore[no-untyped-def]
    return [m for m in group.channels["alerts"].history() if m.author.id == group.bot.user.id]


async def _say(group, member, text: str) -> None:  # type: ignore[no-untyped-def]
    """A member writes in the server; AutoMod's report of it arrives as its own event."""
    await member.send(group.general, text)
    await group.env.settle()


async def _automod_on(group, state: str = "on"):  # type: ignore[no-untyped-def]
    """A facilitator runs /crisis automod; what they read (privately)."""
    result = await group.facilitator.slash(group.general, "crisis automod", state=state)
    assert result.ephemeral
    return result.followups[-1].content if result.followups else result.response.content


async def set_bot_manage_server(group, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    """What a server admin does to the bot's role in Server Settings → Roles."""
    backend = group.env.backend
    guild = backend.get_guild(group.guild.id)
    role = next(r for r in guild.roles.values() if r.managed)
    permissions = discord.Permissions(role.permissions)
    permissions.manage_guild = allowed
    backend.edit_role(group.guild.id, role.id, {"permissions": permissions.value})
    await group.env.settle()


async def test_it_starts_without_the_intent_and_says_what_changes(group, caplog):
    assert group.bot.intents.message_content is False
    assert group.bot.intents.members is True
    caplog.set_level(logging.WARNING, logger="bot.core.bot")
    await group.env.restart_bot()
    assert any("without the Message Content intent" in r.getMessage() for r in caplog.records)

    shown = visible_text((await group.admin.slash(group.general, "setup show")).response)
    assert "**Message Content:** off for this bot" in shown
    assert "Turn on `/crisis automod on`" in shown
    text = (await group.admin.slash(group.general, "setup check")).response.content
    assert "[ok] Message Content intent not used (MESSAGE_CONTENT_INTENT=false)" in text
    assert "Message Content intent is off" not in text


async def test_without_the_rule_only_dms_and_mentions_are_read(group):
    # A plain message in the server reaches the bot blank: nothing to answer.
    await _say(group, group.member, URGENT)
    assert _replies(group.member) == [] and _alerts(group) == []

    # A message that mentions the bot is read in full: the private reply and the alert.
    await group.members[1].send(group.general, f"{group.bot.user.mention} {URGENT}")
    assert len(_replies(group.members[1])) == 1
    assert "Urgent" in _alerts(group)[-1].content

    # So is a DM to the bot.
    await group.members[2].user.send_dm(URGENT)
    assert len(_replies(group.members[2])) == 1


async def test_automod_on_makes_one_rule_and_a_match_gets_the_reply_and_the_alert(group):
    said = await _automod_on(group)
    assert said.startswith("Done: Discord's AutoMod now watches this server")
    (rule,) = _rules(group)
    alerts_id = group.channels["alerts"].id
    assert rule.name == RULE_NAME and rule.enabled
    assert rule.creator_id == group.env.backend.bot_user.id
    assert "*kill myself*" in rule.trigger_metadata["keyword_filter"]
    # One action: Discord's own "send alert" (type 2) to the facilitators' channel; nothing blocked.
    assert [(a["type"], int(a["metadata"]["channel_id"])) for a in rule.actions] == [(2, alerts_id)]
    assert rule.exempt_channels == [alerts_id]

    await _say(group, group.member, URGENT)
    assert len(_replies(group.member)) == 1
    alert = _alerts(group)[-1].content
    assert "Urgent" in alert and group.member.mention in alert
    assert "tonight" not in alert  # never their words (the bot never had them)

    await _say(group, group.members[1], CONCERN)
    assert len(_replies(group.members[1])) == 1
    assert "may need support" in _alerts(group)[-1].content

    # A calm message matches nothing.
    before = len(_alerts(group))
    await _say(group, group.members[2], CALM)
    assert _replies(group.members[2]) == [] and len(_alerts(group)) == before

    # Running it again brings the same rule up to date rather than adding a second.
    await _automod_on(group)
    assert [r.id for r in _rules(group)] == [rule.id]


async def test_the_rule_survives_a_restart_and_off_removes_it(group):
    await _automod_on(group)
    await group.env.restart_bot()
    await _say(group, group.member, URGENT)
    assert len(_replies(group.member)) == 1

    shown = visible_text((await group.admin.slash(group.general, "setup show")).response)
    assert "through the AutoMod rule (on)" in shown

    assert (await _automod_on(group, "off")).startswith("Done: the AutoMod rule is gone")
    assert _rules(group) == []
    await _say(group, group.members[1], URGENT)
    assert _replies(group.members[1]) == []
    assert "nothing changed" in await _automod_on(group, "off")


async def test_a_rule_someone_else_made_is_not_the_bots(group):
    """An admin's own AutoMod rule with the same words is theirs: the bot answers only its own."""
    backend = group.env.backend
    backend.create_auto_mod_rule(
        group.guild.id,
        group.admin.user.id,
        {
            "name": RULE_NAME,
            "event_type": 1,
            "trigger_type": 1,
            "trigger_metadata": {"keyword_filter": ["*kill myself*"]},
            "actions": [{"type": 2, "metadata": {"channel_id": str(group.channels["alerts"].id)}}],
        },
    )
    await group.env.settle()
    await _say(group, group.member, URGENT)
    assert _replies(group.member) == [] and _alerts(group) == []


async def test_automod_on_needs_an_alerts_channel_and_manage_server(simcord_env, simcord_bot, clock):
    group = build_group(simcord_env, simcord_bot, clock)
    await group.admin.slash(group.general, "setup facilitator-role", role=group.facilitator_role)
    show_facilitator_commands(group)
    assert await _automod_on(group) == NEEDS_ALERTS_CHANNEL
    assert _rules(group) == []

    await group.admin.slash(
        group.general, "setup channel", purpose="alerts", channel=group.channels["alerts"]
    )
    await set_bot_manage_server(group, False)
    assert await _automod_on(group) == NEEDS_MANAGE_SERVER.format(what="create")
    assert _rules(group) == []

    await set_bot_manage_server(group, True)
    assert (await _automod_on(group)).startswith("Done")
    assert len(_rules(group)) == 1


async def test_members_cannot_turn_it_on(group):
    # /crisis is a facilitator command: Discord does not show it to members at all.
    with pytest.raises(SetupError, match="not visible to this user"):
        await group.member.slash(group.general, "crisis automod", state="on")
    assert _rules(group) == []
