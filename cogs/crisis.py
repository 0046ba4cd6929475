"""Crisis replies: notice crisis language, answer privately, alert the facilitators.

- ``on_message`` (and a person's edit): a concern or urgent verdict gets a private DM with the
  helplines for the member's country (``/country``), else the group's (the same reply in a DM to
  the bot); if DMs are closed, a one-line pointer in the channel that names only the member and
  points to ``/resources``.
- A facilitator alert (group setting, on by default) with persistent claim / resolve / false
  alarm buttons, in the alerts channel or, when that is missing or refuses it, by DM to each
  facilitator. Never the message text, anywhere: not in alerts, the database or the logs.
- ``/resources``, ``/grounding`` for everyone (servers and DMs, no consent needed);
  ``/crisis settings`` and ``/crisis stats`` for facilitators.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict, defaultdict
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.autocomplete import country_autocomplete
from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only, is_facilitator
from bot.core.countries import validate_country
from bot.core.outbox import PRIORITY_ALERT
from bot.core.outbox_store import OutboxRow
from bot.core.ui import report_error
from bot.crisis.detect import Detector, shipped_detector
from bot.crisis.reply import (
    GROUNDING_STEPS,
    ReplyLevel,
    alert_dm_note,
    alert_message,
    alert_status,
    channel_pointer,
    crisis_message,
    grounding_step,
    resources_message,
)
from bot.crisis.resources import resources_for
from bot.crisis.store import DM_GUILD, Alert, CrisisRepository, CrisisSettings, Outcome
from cogs.safetyplan import PlanOpen

log = logging.getLogger(__name__)

# At most one automatic reply per person in this window; an urgent verdict always gets one.
REPLY_GAP = timedelta(hours=6)
# Discord's "Cannot send messages to this user".
CANNOT_DM = 50007
# Facilitator alerts go through the outbox (first in line after crisis replies).
ALERT_KIND = "crisis:alert"
# When the alerts channel is missing or refuses the alert: one DM to each facilitator.
ALERT_DM_KIND = "crisis:alert-dm"
_RANK: dict[str, int] = {"none": 0, "concern": 1, "urgent": 2}
_VERDICTS_KEPT = 10_000
_AUDIT_ACTIONS = {"claim": "crisis:claimed", "resolve": "crisis:resolved", "false": "crisis:false_alarm"}


def _repo(interaction: discord.Interaction[Any]) -> CrisisRepository:
    bot: ResilienceBot = interaction.client
    return CrisisRepository(bot.db)


async def country_for(bot: ResilienceBot, user_id: int, guild_id: int | None) -> str | None:
    """The country whose helplines to show: the member's own (``/country``), else the group's.

    In a server, the member's own country in that group, then the group's. In a DM, their own
    country from any of their groups, then the first of their groups (or servers shared with the
    bot) that set one.
    """
    if guild_id:
        member = await bot.members.get(guild_id, user_id)
        if member is not None and member.country:
            return member.country
        return (await bot.guilds_repo.get(guild_id)).country
    own = await bot.members.own_country(user_id)
    if own:
        return own
    candidates = list(await bot.members.guilds_of(user_id))
    user = bot.get_user(user_id)
    if user is not None:
        candidates += [g.id for g in user.mutual_guilds if g.id not in candidates]
    for candidate in candidates:
        country = (await bot.guilds_repo.get(candidate)).country
        if country:
            return country
    return None


# -- buttons in the crisis DM -----------------------------------------------------------------


class GroundingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"crisis:ground:(?P<step>start|\d+)"
):
    """``start`` opens the exercise in a new private message; a number moves to that step."""

    def __init__(self, step: int | None) -> None:
        label = "Grounding exercise" if step is None else "Next"
        custom = "crisis:ground:start" if step is None else f"crisis:ground:{step}"
        style = discord.ButtonStyle.secondary if step is None else discord.ButtonStyle.primary
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom))
        self.step = step

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> GroundingButton:
        step = match["step"]
        return cls(None if step == "start" else int(step))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            if self.step is None:
                await interaction.response.send_message(
                    grounding_step(0), view=_first_step_view(), ephemeral=True
                )
            else:
                await interaction.response.edit_message(
                    content=grounding_step(self.step), view=grounding_view(self.step + 1)
                )
        except Exception as error:
            await report_error(interaction, error)


def _first_step_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(GroundingButton(1))
    return view


def grounding_view(next_step: int) -> discord.ui.View | None:
    """A Next button to ``next_step``, or nothing after the last step."""
    if next_step >= len(GROUNDING_STEPS):
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(GroundingButton(next_step))
    return view


class RepliesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"crisis:replies:(?P<on>on|off):(?P<guild>\d+)"
):
    """Turn automatic replies off (from the crisis DM) or back on (from the confirmation)."""

    def __init__(self, on: bool, guild_id: int) -> None:
        label = "Turn automatic replies back on" if on else "Turn off automatic replies"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"crisis:replies:{'on' if on else 'off'}:{guild_id}",
            )
        )
        self.on = on
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RepliesButton:
        return cls(match["on"] == "on", int(match["guild"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._toggle(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def _toggle(self, interaction: discord.Interaction[Any]) -> None:
        bot: ResilienceBot = interaction.client
        repo = CrisisRepository(bot.db)
        user_id = interaction.user.id
        guild_ids = set(await bot.members.guilds_of(user_id))
        if self.on:
            await repo.opt_in(user_id)
            for guild_id in guild_ids:
                await bot.members.set_choice(guild_id, user_id, "crisis_replies", True)
            await interaction.response.send_message(
                "Automatic replies are back on. Thank you for letting me check in.", ephemeral=True
            )
            return
        # Kept even without a member row: it is a safety preference this person asked for.
        await repo.opt_out(self.guild_id, user_id, bot.clock.now())
        for guild_id in guild_ids:
            await bot.members.set_choice(guild_id, user_id, "crisis_replies", False)
        view = discord.ui.View(timeout=None)
        view.add_item(RepliesButton(True, self.guild_id))
        await interaction.response.send_message(
            "Done: I won't send you automatic messages like that any more. `/resources` still shows "
            "helplines whenever you want them, and your facilitators are still there for you.",
            view=view,
            ephemeral=True,
        )


def crisis_dm_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PlanOpen())
    view.add_item(GroundingButton(None))
    view.add_item(RepliesButton(False, guild_id))
    return view


# -- the facilitator alert --------------------------------------------------------------------

AlertAction = Literal["claim", "resolve", "false"]
_ALERT_LABELS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "claim": ("I'm reaching out", discord.ButtonStyle.primary),
    "resolve": ("Resolved", discord.ButtonStyle.success),
    "false": ("False alarm", discord.ButtonStyle.secondary),
}


def render_alert(alert: Alert) -> str:
    at = alert.updated_at if alert.state != "open" else alert.created_at
    status = alert_status(
        alert.state, claimed_by=alert.claimed_by, closed_by=alert.closed_by, at_unix=int(at.timestamp())
    )
    jump = (
        f"https://discord.com/channels/{alert.guild_id}/{alert.source_channel_id}/{alert.source_message_id}"
    )
    return alert_message(
        level=alert.level,
        member_id=alert.user_id,
        channel_id=alert.source_channel_id,
        jump_url=jump,
        at_unix=int(alert.created_at.timestamp()),
        status=status,
    )


def alert_view(alert: Alert) -> discord.ui.View | None:
    actions: tuple[AlertAction, ...]
    if alert.state not in ("open", "claimed"):
        return None
    # The claim button stays while claimed: a second facilitator who clicks is told who has it.
    actions = ("claim", "resolve", "false")
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(AlertButton(action, alert.alert_id))
    return view


class AlertButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"crisis:alert:(?P<action>claim|resolve|false):(?P<id>\d+)",
):
    def __init__(self, action: AlertAction, alert_id: int) -> None:
        label, style = _ALERT_LABELS[action]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"crisis:alert:{action}:{alert_id}")
        )
        self.action: AlertAction = action
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AlertButton:
        action: AlertAction = match["action"]  # type: ignore[assignment]
        return cls(action, int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._act(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def _act(self, interaction: discord.Interaction[Any]) -> None:
        bot: ResilienceBot = interaction.client
        repo = CrisisRepository(bot.db)
        alert = await repo.get_alert(self.alert_id)
        # In the alerts channel, or in a facilitator's DMs when the channel could not have it.
        guild = interaction.guild or (bot.get_guild(alert.guild_id) if alert is not None else None)
        if alert is None or guild is None or alert.guild_id != guild.id:
            await interaction.response.send_message("I can't find this alert any more.", ephemeral=True)
            return
        config = await bot.guilds_repo.get(alert.guild_id)
        person = interaction.user if interaction.guild is not None else guild.get_member(interaction.user.id)
        if not isinstance(person, discord.Member) or not is_facilitator(person, config):
            await interaction.response.send_message(
                "These buttons are for the group's facilitators.", ephemeral=True
            )
            return
        now, me = bot.clock.now(), interaction.user.id
        if self.action == "claim":
            done = await repo.claim(alert.alert_id, me, now)
        else:
            done = await repo.close(
                alert.alert_id, "resolved" if self.action == "resolve" else "false_alarm", me, now
            )
        current = await repo.get_alert(alert.alert_id)
        assert current is not None
        if not done:
            await interaction.response.send_message(_already(current, me), ephemeral=True)
            return
        # Which alert and its level only: never the member's words.
        await bot.audit.record(
            alert.guild_id, me, _AUDIT_ACTIONS[self.action], f"alert #{alert.alert_id}, {alert.level}"
        )
        await interaction.response.edit_message(
            content=render_alert(current),
            view=alert_view(current),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        if self.action == "false":
            stats = await repo.stats(alert.guild_id)
            await interaction.followup.send(
                f"Noted as a false alarm, thank you. This group has had {stats.false_alarm} false "
                f"alarm(s) out of {stats.total} alert(s); `/crisis stats` shows the numbers.",
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


# -- the cog ----------------------------------------------------------------------------------


def _on_off(value: bool) -> str:
    return "on" if value else "off"


class Crisis(commands.Cog):
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
        # One reply decision at a time per person, so two quick messages can't both get a DM.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # The verdict each recent message got (message id and level only, never its words), so
        # an edit is answered only when it makes the message more serious.
        self._verdicts: OrderedDict[int, ReplyLevel] = OrderedDict()

    async def cog_load(self) -> None:
        self.bot.outbox.on_delivered(ALERT_KIND, self._alert_delivered)
        self.bot.outbox.on_failed(ALERT_KIND, self._alert_failed)

    # -- the listener ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._check(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Someone rewrote their message: it is read again, as if it were new.

        Only a person's edit counts (Discord also "edits" a message to add a link preview; that
        has no edit time), and only a verdict more serious than the one this message already
        had: fixing a typo in a message that already got a reply does not send another.
        """
        if payload.message.edited_at is None:
            return
        await self._check(payload.message)

    async def _check(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        if message.guild is None and not isinstance(message.channel, discord.DMChannel):
            return
        verdict = self.detector.detect(message.content)
        if verdict.level == "none":
            return
        handled = self._verdicts.get(message.id)
        if handled is not None and _RANK[handled] >= _RANK[verdict.level]:
            return
        self._verdicts[message.id] = verdict.level
        while len(self._verdicts) > _VERDICTS_KEPT:
            self._verdicts.popitem(last=False)
        try:
            await self._handle(message, verdict.level)
        except Exception:
            # Never the text, never the member: just enough to find the fault.
            log.exception("crisis reply failed (guild %s)", message.guild.id if message.guild else "dm")

    async def _handle(self, message: discord.Message, level: ReplyLevel) -> None:
        guild = message.guild
        if guild is not None:
            config = await self.bot.guilds_repo.get(guild.id)
            # Facilitators talking about an alert in their own channel are not the subject of one.
            if config.channels.get("alerts") == message.channel.id:
                return
        guild_id = guild.id if guild else DM_GUILD
        now = self.bot.clock.now()
        async with self._locks[message.author.id]:
            outcome = await self._reply(message, level, guild_id)
            event_id = await self.repo.record_event(guild_id, message.author.id, level, outcome, now)
        log.info("crisis verdict %s in guild %s: %s", level, guild_id or "dm", outcome)
        if guild is not None:
            await self._alert(message, guild, level, event_id)

    async def _opted_out(self, guild_id: int, user_id: int) -> bool:
        if guild_id:
            member = await self.bot.members.get(guild_id, user_id)
            if member is not None and not member.crisis_replies:
                return True
        return await self.repo.is_opted_out(user_id)

    async def _reply(self, message: discord.Message, level: ReplyLevel, guild_id: int) -> Outcome:
        author = message.author
        if await self._opted_out(guild_id, author.id):
            return "opted_out"
        if level != "urgent":
            last = await self.repo.last_reply_at(author.id)
            if last is not None and self.bot.clock.now() - last < REPLY_GAP:
                return "limited"
        res = resources_for(await country_for(self.bot, author.id, guild_id or None))
        content = crisis_message(res, level)
        view = crisis_dm_view(guild_id)
        try:
            await author.send(content, view=view)
            return "dm"
        except discord.HTTPException as error:
            if message.guild is None or not (isinstance(error, discord.Forbidden) or error.code == CANNOT_DM):
                log.warning("crisis DM failed with HTTP %s", error.status)
                return "failed"
        if guild_id:
            member = await self.bot.members.get(guild_id, author.id)
            if member is not None:
                await self.bot.members.mark_dm_closed(guild_id, author.id, self.bot.clock.now())
        try:
            # No reply reference: a reply would show a preview of their words under the pointer.
            await message.channel.send(
                channel_pointer(author.mention),
                allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=[author]),
            )
            return "pointer"
        except discord.HTTPException as error:
            log.warning("crisis channel pointer failed with HTTP %s", error.status)
            return "failed"

    async def _alert(
        self, message: discord.Message, guild: discord.Guild, level: ReplyLevel, event_id: int
    ) -> None:
        settings = await self.repo.settings(guild.id)
        if not settings.alerts:
            return
        config = await self.bot.guilds_repo.get(guild.id)
        # Only a channel set up for alerts: never the group channel fallback, which members read.
        channel_id = config.channels.get("alerts")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        now = self.bot.clock.now()
        if level != "urgent":
            recent = await self.repo.recent_unresolved_alert(guild.id, message.author.id, now - REPLY_GAP)
            if recent is not None:
                return
        alert_id = await self.repo.create_alert(
            guild.id, message.author.id, event_id, level, message.channel.id, message.id, now
        )
        alert = await self.repo.get_alert(alert_id)
        assert alert is not None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            log.warning(
                "crisis alert #%s: no alerts channel set in guild %s; DMing facilitators", alert_id, guild.id
            )
            await self._alert_by_dm(alert, channel_missing=True)
        else:
            content = render_alert(alert)
            mentions = discord.AllowedMentions.none()
            role_id = config.facilitator_role_id
            if level == "urgent" and settings.ping_urgent and role_id:
                content = f"<@&{role_id}> {content}"
                mentions = discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(role_id)]
                )
            # Through the outbox at PRIORITY_ALERT: ahead of every daily post and reminder, retried
            # through an outage, sent once. Its message id (for the button edits) comes back in
            # _alert_delivered; a send that finally fails goes to each facilitator (_alert_failed).
            await self.bot.outbox.enqueue(
                guild_id=guild.id,
                kind=ALERT_KIND,
                key=str(alert_id),
                channel_id=channel.id,
                content=content,
                view=alert_view(alert),
                allowed_mentions=mentions,
                priority=PRIORITY_ALERT,
                ref=str(alert_id),
            )
        if self.bot.outbox.inline:
            # An injected clock (tests, the demo) has no worker: send it now, as the worker would.
            await self.bot.outbox.drain()

    async def _alert_by_dm(self, alert: Alert, *, channel_missing: bool) -> None:
        """The alert, privately, to every facilitator of the group except its subject."""
        guild = self.bot.get_guild(alert.guild_id)
        if guild is None:
            log.error(
                "crisis alert #%s reached no facilitator: guild %s not available",
                alert.alert_id,
                alert.guild_id,
            )
            return
        config = await self.bot.guilds_repo.get(alert.guild_id)
        people = [
            m for m in guild.members if not m.bot and m.id != alert.user_id and is_facilitator(m, config)
        ]
        if not people:
            log.error(
                "crisis alert #%s reached no facilitator: guild %s has none", alert.alert_id, alert.guild_id
            )
            return
        content = f"{alert_dm_note(channel_missing=channel_missing)}\n\n{render_alert(alert)}"
        for person in people:
            await self.bot.outbox.enqueue(
                guild_id=alert.guild_id,
                kind=ALERT_DM_KIND,
                key=f"{alert.alert_id}:{person.id}",
                user_id=person.id,
                content=content,
                view=alert_view(alert),
                allowed_mentions=discord.AllowedMentions.none(),
                priority=PRIORITY_ALERT,
                ref=str(alert.alert_id),
            )

    async def _alert_failed(self, row: OutboxRow, reason: str) -> None:
        alert = await self.repo.get_alert(int(row.ref)) if row.ref.isdigit() else None
        if alert is None or alert.state not in ("open", "claimed"):
            return
        log.warning("crisis alert #%s could not be posted (%s); DMing facilitators", alert.alert_id, reason)
        await self._alert_by_dm(alert, channel_missing=False)

    async def _alert_delivered(self, row: OutboxRow, message_id: int | None) -> None:
        if message_id is not None and row.channel_id is not None and row.ref.isdigit():
            await self.repo.set_alert_message(int(row.ref), row.channel_id, message_id)

    # -- commands -------------------------------------------------------------------------------

    @app_commands.command(name="resources", description="Helplines and crisis support, shown only to you")
    @app_commands.describe(country="Two-letter code, like GB or US (default: yours, or your group's)")
    @app_commands.autocomplete(country=country_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
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
    async def grounding(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(grounding_step(0), view=_first_step_view(), ephemeral=True)

    @crisis.command(name="settings", description="Facilitator alerts for crisis language (see or change)")
    @app_commands.describe(
        alerts="Post an alert in the facilitators' channel", ping="Ping the facilitator role on urgent alerts"
    )
    @facilitator_only()
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        alerts: Literal["on", "off"] | None = None,
        ping: Literal["on", "off"] | None = None,
    ) -> None:
        assert interaction.guild is not None
        current = await self.repo.settings(interaction.guild.id)
        if alerts is not None or ping is not None:
            current = CrisisSettings(
                interaction.guild.id,
                alerts=current.alerts if alerts is None else alerts == "on",
                ping_urgent=current.ping_urgent if ping is None else ping == "on",
            )
            await self.repo.save_settings(current, self.bot.clock.now())
        config = await self.bot.guilds_repo.get(interaction.guild.id)
        where = (
            f"<#{config.channels['alerts']}>"
            if config.channels.get("alerts")
            else "not set (use `/setup channel`)"
        )
        await interaction.response.send_message(
            f"**Crisis alerts:** {_on_off(current.alerts)} (channel: {where})\n"
            f"**Ping the facilitator role on urgent alerts:** {_on_off(current.ping_urgent)}\n"
            "-# Members always get their private reply; these settings only change what facilitators see.",
            ephemeral=True,
        )

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


async def setup(bot: ResilienceBot) -> None:
    bot.add_dynamic_items(GroundingButton, RepliesButton, AlertButton)
    await bot.add_cog(Crisis(bot))
