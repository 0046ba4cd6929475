"""Noticing crisis language and answering it: the message listener, the private reply, and the
facilitator alert sent through the outbox (with its delivery and failure callbacks).

- A concern or urgent verdict gets a private DM with the helplines for the member's country
  (``/country``), else the group's (the same reply in a DM to the bot); if DMs are closed, a
  one-line pointer in the channel that names only the member and points to ``/resources``.
- A facilitator alert (group setting, on by default) in the alerts channel or, when that is
  missing or refuses it, by DM to each facilitator. Never the message text, anywhere: not in
  alerts, the database or the logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, defaultdict
from datetime import timedelta

import discord
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.checks import is_facilitator
from bot.core.outbox import PRIORITY_ALERT
from bot.core.outbox_store import OutboxRow
from bot.crisis.detect import Detector
from bot.crisis.reply import ReplyLevel, alert_dm_note, channel_pointer, crisis_message
from bot.crisis.resources import resources_for
from bot.crisis.store import DM_GUILD, Alert, CrisisRepository, Outcome
from cogs.crisis.views import alert_view, crisis_dm_view, render_alert

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
VERDICTS_KEPT = 10_000


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


class CrisisWatch:
    """The listening half of the crisis cog (mixed into :class:`cogs.crisis.commands.Crisis`)."""

    bot: ResilienceBot
    repo: CrisisRepository
    detector: Detector
    # One reply decision at a time per person, so two quick messages can't both get a DM.
    _locks: defaultdict[int, asyncio.Lock]
    # The verdict each recent message got (message id and level only, never its words), so an
    # edit is answered only when it makes the message more serious.
    _verdicts: OrderedDict[int, ReplyLevel]

    def _watch_state(self) -> None:
        self._locks = defaultdict(asyncio.Lock)
        self._verdicts = OrderedDict()

    def _start_watching(self) -> None:
        self.bot.outbox.on_delivered(ALERT_KIND, self._alert_delivered)
        self.bot.outbox.on_failed(ALERT_KIND, self._alert_failed)

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
        while len(self._verdicts) > VERDICTS_KEPT:
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
