"""Without the Message Content intent (MESSAGE_CONTENT_INTENT=false): Discord's AutoMod notices
crisis language in the server for the bot.

``/crisis automod on`` creates one keyword rule (``content/crisis/automod.toml``) whose action is
Discord's own "send alert" to the facilitators' channel; each match reaches the bot as an AutoMod
execution (it needs Manage Server to receive those), which becomes the usual private reply and
facilitator alert. Discord says only which keyword matched, never the message, so the level is
the keyword's. With the intent on, the bot reads messages itself and ignores executions.
"""

from __future__ import annotations

import functools
import itertools
import logging
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.crisis.automod import RULE_NAME, AutomodKeywords, load_automod
from bot.crisis.detect import Verdict
from bot.crisis.store import CrisisRepository
from cogs.crisis.alerts import NoticedMessage
from cogs.crisis.followup import CrisisFollowup

log = logging.getLogger(__name__)

NOT_NEEDED = (
    "Not needed here: I can read messages in this server (the Message Content intent is on), so I "
    "notice crisis language myself. An AutoMod rule would only double the alerts."
)
NEEDS_ALERTS_CHANNEL = (
    "First set a private channel for alerts with `/setup channel purpose:alerts`: AutoMod posts "
    "its own alerts there. Nothing changed."
)
NEEDS_MANAGE_SERVER = (
    "I couldn't {what} the AutoMod rule: Discord lets an app make AutoMod rules, and hear when they "
    "match, only with the **Manage Server** permission. Give my role Manage Server (Server Settings "
    "→ Roles), then run this again. Nothing changed."
)


@functools.cache
def _keywords(path: Path) -> AutomodKeywords:
    return load_automod(path)


class CrisisAutomod(CrisisFollowup):
    """The AutoMod half of the crisis cog (mixed into :class:`cogs.crisis.commands.Crisis`)."""

    bot: ResilienceBot
    repo: CrisisRepository
    # Our rule's id per guild, once seen; rule ids known not to be ours.
    _automod_rules: dict[int, int]
    _foreign_rules: set[int]
    _unnumbered: itertools.count[int]

    def _start_automod(self) -> None:
        self._automod_rules = {}
        self._foreign_rules = set()
        self._unnumbered = itertools.count()
        self.bot.add_setup_notice(self._automod_notice)

    def _stop_automod(self) -> None:
        self.bot.remove_setup_notice(self._automod_notice)

    def automod_keywords(self) -> AutomodKeywords:
        return _keywords(Path(self.bot.settings.content_path) / "crisis" / "automod.toml")

    async def _our_rule(self, guild: discord.Guild) -> discord.AutoModRule | None:
        me = self.bot.user
        for rule in await guild.fetch_automod_rules():
            if rule.name == RULE_NAME and me is not None and rule.creator_id == me.id:
                self._automod_rules[guild.id] = rule.id
                return rule
        self._automod_rules.pop(guild.id, None)
        return None

    async def _is_our_rule(self, guild: discord.Guild, rule_id: int) -> bool:
        if self._automod_rules.get(guild.id) == rule_id:
            return True
        if rule_id in self._foreign_rules:
            return False
        try:
            rule = await guild.fetch_automod_rule(rule_id)
        except discord.HTTPException:
            return False
        me = self.bot.user
        if rule.name == RULE_NAME and me is not None and rule.creator_id == me.id:
            self._automod_rules[guild.id] = rule.id
            return True
        self._foreign_rules.add(rule_id)
        return False

    # -- /crisis automod ----------------------------------------------------------------------

    async def automod_on(self, interaction: discord.Interaction[Any], guild: discord.Guild) -> str:
        if self.bot.intents.message_content:
            return NOT_NEEDED
        config = await self.bot.guilds_repo.get(guild.id)
        alerts = config.channels.get("alerts")
        if not alerts:
            return NEEDS_ALERTS_CHANNEL
        keywords = self.automod_keywords().keywords
        trigger = discord.AutoModTrigger(type=discord.AutoModRuleTriggerType.keyword, keyword_filter=keywords)
        actions = [discord.AutoModRuleAction(channel_id=alerts)]
        exempt = [discord.Object(alerts)]
        reason = "/crisis automod on"
        try:
            rule = await self._our_rule(guild)
            if rule is None:
                rule = await guild.create_automod_rule(
                    name=RULE_NAME,
                    event_type=discord.AutoModRuleEventType.message_send,
                    trigger=trigger,
                    actions=actions,
                    enabled=True,
                    exempt_channels=exempt,
                    reason=reason,
                )
            else:  # run again: the same rule, brought up to date (keywords, alerts channel)
                rule = await rule.edit(
                    trigger=trigger, actions=actions, enabled=True, exempt_channels=exempt, reason=reason
                )
        except discord.Forbidden:
            return NEEDS_MANAGE_SERVER.format(what="create")
        self._automod_rules[guild.id] = rule.id
        await self.bot.audit.record(
            guild.id, interaction.user.id, "crisis:automod_on", f"{len(keywords)} keywords"
        )
        return (
            f"Done: Discord's AutoMod now watches this server for crisis language ({len(keywords)} "
            f"keywords, rule **{RULE_NAME}**). When one is written, AutoMod posts its own alert in "
            f"<#{alerts}>, and I send the member a private message with helplines and post the usual "
            "alert there. AutoMod tells me only which keyword matched, never the message, so a joke "
            'or a "not" still gets a reply. `/crisis automod off` removes the rule.'
        )

    async def automod_off(self, interaction: discord.Interaction[Any], guild: discord.Guild) -> str:
        try:
            rule = await self._our_rule(guild)
            if rule is None:
                return "There is no AutoMod rule of mine in this server: nothing changed."
            await rule.delete(reason="/crisis automod off")
        except discord.Forbidden:
            return NEEDS_MANAGE_SERVER.format(what="remove")
        self._automod_rules.pop(guild.id, None)
        await self.bot.audit.record(guild.id, interaction.user.id, "crisis:automod_off", "")
        return (
            "Done: the AutoMod rule is gone. Crisis language in the server is now noticed only in "
            "messages that mention me, and in DMs to me."
        )

    async def _automod_notice(self, guild_id: int) -> str | None:
        """/setup show's line about reading messages, when the bot runs without Message Content."""
        if self.bot.intents.message_content:
            return None
        guild = self.bot.get_guild(guild_id)
        rule = None
        if guild is not None:
            try:
                rule = await self._our_rule(guild)
            except discord.HTTPException:
                rule = None
        where = (
            "and through the AutoMod rule (on)"
            if rule is not None
            else "only. Turn on `/crisis automod on` so members' messages in the server are noticed too"
        )
        return (
            "**Message Content:** off for this bot (MESSAGE_CONTENT_INTENT=false): crisis language is "
            f"noticed in DMs to the bot and in messages that mention it, {where}."
        )

    # -- a match ------------------------------------------------------------------------------

    def _stand_in_id(self) -> int:
        """An id for a match Discord sent without its message's id (it may leave it out).

        A snowflake of this moment, unique in this process: the alert's "jump to the message" link
        then opens the channel at the moment it was written, and each match is answered once.
        """
        return discord.utils.time_snowflake(self.bot.clock.now()) + next(self._unnumbered) % 4096

    @commands.Cog.listener()
    async def on_automod_action(self, execution: discord.AutoModAction) -> None:
        """One AutoMod match of our rule: the usual private reply and alert (never the words)."""
        if self.bot.intents.message_content:
            return  # on_message reads every message itself
        # Each action of a match is its own event: answer the rule's one "send alert" action.
        if execution.action.type is not discord.AutoModRuleActionType.send_alert_message:
            return
        guild = execution.guild
        if not await self._is_our_rule(guild, execution.rule_id):
            return
        member = execution.member
        if member is None:  # not in the member cache yet (just started, or a big server)
            try:
                member = await guild.fetch_member(execution.user_id)
            except discord.HTTPException:
                return
        channel = guild.get_channel_or_thread(execution.channel_id) if execution.channel_id else None
        if member.bot:
            return
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            return
        level = self.automod_keywords().level_of(execution.matched_keyword)
        log.info("crisis language noticed by AutoMod in guild %s (%s)", guild.id, level)
        noticed = NoticedMessage(
            id=execution.message_id or self._stand_in_id(), author=member, guild=guild, channel=channel
        )
        await self._answer(noticed, Verdict(level, ("automod",)))
