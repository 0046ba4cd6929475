"""The crisis cog: ``/resources`` and ``/grounding`` for everyone (servers and DMs, no consent
needed), ``/crisis settings``, ``/crisis stats`` and ``/crisis report`` for facilitators, and what
the crisis DM's and the alert's buttons do. The listener is in ``jobs``, the alerts in ``alerts``,
the check-in a day later in ``followup``, the buttons in ``views``.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.autocomplete import country_autocomplete
from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only, is_facilitator
from bot.core.countries import validate_country
from bot.core.lookup import INTERACTION_TIMEOUT, find_member
from bot.core.wording import plural
from bot.crisis.detect import Detector, shipped_detector
from bot.crisis.reply import grounding_step, resources_message
from bot.crisis.report import REPORT_WINDOW, build_report, report_text
from bot.crisis.resources import resources_for
from bot.crisis.store import Alert, CrisisRepository, CrisisSettings
from cogs.crisis.automod import CrisisAutomod
from cogs.crisis.jobs import country_for
from cogs.crisis.views import AlertAction, alert_view, first_step_view, render_alert, replies_on_view

_METRIC_ACTIONS = {"claim": "claimed", "resolve": "resolved", "false": "false_alarm"}
_AUDIT_ACTIONS = {"claim": "crisis:claimed", "resolve": "crisis:resolved", "false": "crisis:false_alarm"}
# What /crisis settings says cautious costs (the measured rates belong in the README crisis section).
CAUTIOUS_COST = (
    "-# **cautious** answers more messages (some negated or joking ones too), so it also raises "
    "more false alarms; **standard** misses a few more."
)


class Crisis(CrisisAutomod, commands.Cog):
    """Private replies to crisis language, facilitator alerts, /resources and /grounding."""

    crisis = app_commands.Group(
        name="crisis",
        description="Crisis alerts for facilitators",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ResilienceBot, detector: Detector | None = None) -> None:
        self.bot = bot
        self.repo = CrisisRepository(bot.db)
        self.detector = detector or shipped_detector()
        self._watch_state()

    async def cog_load(self) -> None:
        self._start_watching()
        self._start_followups()
        self._start_automod()

    async def cog_unload(self) -> None:
        self._stop_followups()
        self._stop_alerts()
        self._stop_automod()

    # -- commands -------------------------------------------------------------------------------

    @app_commands.command(name="resources", description="Helplines and crisis support, shown only to you")
    @app_commands.describe(country="Two-letter code, like GB or US (default: yours, or your group's)")
    @app_commands.autocomplete(country=country_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def resources(self, interaction: discord.Interaction[Any], country: str | None = None) -> None:
        if country:
            code: str | None = validate_country(country)
        else:
            code = await country_for(
                self.bot, interaction.user.id, interaction.guild.id if interaction.guild else None
            )
        await interaction.response.send_message(resources_message(resources_for(code)), ephemeral=True)

    @app_commands.command(name="grounding", description="A short 5-4-3-2-1 grounding exercise, just for you")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def grounding(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(grounding_step(0), view=first_step_view(), ephemeral=True)

    @crisis.command(name="settings", description="Facilitator alerts for crisis language (see or change)")
    @app_commands.describe(
        alerts="Post an alert in the facilitators' channel",
        ping="Ping the facilitator role on urgent alerts",
        sensitivity="standard, or cautious: answers more messages, with more false alarms",
    )
    @facilitator_only()
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        alerts: Literal["on", "off"] | None = None,
        ping: Literal["on", "off"] | None = None,
        sensitivity: Literal["standard", "cautious"] | None = None,
    ) -> None:
        assert interaction.guild is not None
        current = await self.repo.settings(interaction.guild.id)
        if alerts is not None or ping is not None or sensitivity is not None:
            current = CrisisSettings(
                interaction.guild.id,
                alerts=current.alerts if alerts is None else alerts == "on",
                ping_urgent=current.ping_urgent if ping is None else ping == "on",
                sensitivity=current.sensitivity if sensitivity is None else sensitivity,
            )
            await self.repo.save_settings(current, self.bot.clock.now())
            self._sensitivity[interaction.guild.id] = current.sensitivity
        config = await self.bot.guilds_repo.get(interaction.guild.id)
        where = (
            f"<#{config.channels['alerts']}>"
            if config.channels.get("alerts")
            else "not set (use `/setup channel`)"
        )
        await interaction.response.send_message(
            f"**Crisis alerts:** {_on_off(current.alerts)} (channel: {where})\n"
            f"**Ping the facilitator role on urgent alerts:** {_on_off(current.ping_urgent)}\n"
            f"**Sensitivity:** {current.sensitivity}\n"
            f"{CAUTIOUS_COST}\n"
            "-# Members always get their private reply; alerts and the ping only change what "
            "facilitators see, sensitivity changes which messages are answered.",
            ephemeral=True,
        )

    @crisis.command(
        name="automod", description="Without Message Content: let Discord's AutoMod notice crisis language"
    )
    @app_commands.describe(state="on: create or update the AutoMod rule; off: remove it")
    @facilitator_only()
    async def automod(self, interaction: discord.Interaction[Any], state: Literal["on", "off"]) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        if state == "on":
            text = await self.automod_on(interaction, interaction.guild)
        else:
            text = await self.automod_off(interaction, interaction.guild)
        await interaction.followup.send(text, ephemeral=True)

    @crisis.command(name="stats", description="How many alerts, and how many were false alarms")
    @facilitator_only()
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        stats = await self.repo.stats(interaction.guild.id)
        await interaction.response.send_message(
            f"**Crisis alerts in this group:** {stats.total}\n"
            f"- open: {stats.open}\n- someone reaching out: {stats.claimed}\n"
            f"- resolved: {stats.resolved}\n- false alarms: {stats.false_alarm}",
            ephemeral=True,
        )

    @crisis.command(name="report", description="Last 90 days: time to claim, false alarms, kinds of alert")
    @facilitator_only()
    async def report(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        since = self.bot.clock.now() - REPORT_WINDOW
        rows = await self.repo.report_rows(interaction.guild.id, since)
        followups = await self.repo.followup_counts(interaction.guild.id, since)
        await interaction.response.send_message(report_text(build_report(rows, followups)), ephemeral=True)

    # -- what the buttons do ----------------------------------------------------------------------

    async def set_replies(self, interaction: discord.Interaction[Any], *, on: bool, guild_id: int) -> None:
        """Turn this person's automatic replies off (from the crisis DM) or back on."""
        bot, repo = self.bot, self.repo
        user_id = interaction.user.id
        guild_ids = set(await bot.members.guilds_of(user_id))
        if on:
            await repo.opt_in(user_id)
            for guild_id in guild_ids:
                await bot.members.set_choice(guild_id, user_id, "crisis_replies", True)
            await interaction.response.send_message(
                "Automatic replies are back on. Thank you for letting me check in.", ephemeral=True
            )
            return
        # Kept even without a member row: it is a safety preference this person asked for.
        await repo.opt_out(guild_id, user_id, bot.clock.now())
        for guild_id in guild_ids:
            await bot.members.set_choice(guild_id, user_id, "crisis_replies", False)
        await interaction.response.send_message(
            "Done: I won't send you automatic messages like that any more. `/resources` still shows "
            "helplines whenever you want them, and your facilitators are still there for you.",
            view=replies_on_view(guild_id),
            ephemeral=True,
        )

    async def _alert_for_facilitator(
        self, interaction: discord.Interaction[Any], alert_id: int
    ) -> Alert | None:
        """The alert, if the one pressing is its group's facilitator; else a kind private no."""
        bot = self.bot
        alert = await self.repo.get_alert(alert_id)
        # In the alerts channel, or in a facilitator's DMs when the channel could not have it.
        guild = interaction.guild or (bot.get_guild(alert.guild_id) if alert is not None else None)
        if alert is None or guild is None or alert.guild_id != guild.id:
            await interaction.response.send_message("I can't find this alert any more.", ephemeral=True)
            return None
        config = await bot.guilds_repo.get(alert.guild_id)
        # Pressed in a DM: the roles come from Discord (no member cache), one gateway query.
        person: discord.abc.User | None = interaction.user
        if interaction.guild is None:
            person = await find_member(guild, interaction.user.id, within=INTERACTION_TIMEOUT)
        if not isinstance(person, discord.Member) or not is_facilitator(person, config):
            await interaction.response.send_message(
                "These buttons are for the group's facilitators.", ephemeral=True
            )
            return None
        return alert

    async def open_alert(self, interaction: discord.Interaction[Any], alert_id: int) -> None:
        """One alert of a summary in full, privately, with its claim / resolve / false alarm buttons."""
        alert = await self._alert_for_facilitator(interaction, alert_id)
        if alert is None:
            return
        kwargs: dict[str, Any] = {}
        if (view := alert_view(alert)) is not None:
            kwargs["view"] = view
        await interaction.response.send_message(
            render_alert(alert), ephemeral=True, allowed_mentions=discord.AllowedMentions.none(), **kwargs
        )

    async def act_on_alert(
        self, interaction: discord.Interaction[Any], action: AlertAction, alert_id: int
    ) -> None:
        """A facilitator claims the alert, resolves it or marks it a false alarm."""
        bot, repo = self.bot, self.repo
        alert = await self._alert_for_facilitator(interaction, alert_id)
        if alert is None:
            return
        now, me = bot.clock.now(), interaction.user.id
        if action == "claim":
            done = await repo.claim(alert.alert_id, me, now)
        else:
            done = await repo.close(
                alert.alert_id, "resolved" if action == "resolve" else "false_alarm", me, now
            )
        current = await repo.get_alert(alert.alert_id)
        assert current is not None
        if not done:
            await interaction.response.send_message(_already(current, me), ephemeral=True)
            return
        first_taken = alert.claimed_at is None and current.claimed_at is not None
        bot.metrics.alert_action(
            alert.guild_id,
            _METRIC_ACTIONS[action],
            (now - alert.created_at).total_seconds() if first_taken else None,
        )
        # Which alert and its level only: never the member's words.
        await bot.audit.record(
            alert.guild_id, me, _AUDIT_ACTIONS[action], f"alert #{alert.alert_id}, {alert.level}"
        )
        await interaction.response.edit_message(
            content=render_alert(current),
            view=alert_view(current),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        if action == "false":
            stats = await repo.stats(alert.guild_id)
            await interaction.followup.send(
                f"Noted as a false alarm, thank you. This group has had "
                f"{plural(stats.false_alarm, 'false alarm')} out of {plural(stats.total, 'alert')}; "
                "`/crisis stats` shows the numbers.",
                ephemeral=True,
            )


def _already(alert: Alert, me: int) -> str:
    if alert.state == "claimed" and alert.claimed_by == me:
        return "You've already said you're reaching out. Thank you."
    if alert.state == "claimed":
        return (
            f"<@{alert.claimed_by}> is already reaching out, so nobody gets two messages at once. "
            "Thank you for checking. If you think more is needed, talk with them first."
        )
    return "This alert is already closed. Thank you for checking."


def _on_off(value: bool) -> str:
    return "on" if value else "off"
