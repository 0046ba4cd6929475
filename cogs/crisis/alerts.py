"""The facilitators' side of the crisis cog: the alert (about a member at risk, about someone they
are worried about, or about harassment) and a member's request to talk, each sent through the
outbox to the alerts channel, or by DM to each facilitator when that channel is missing or
refuses it. Never the message text, anywhere: not in alerts, the database or the logs.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.core.bot import ResilienceBot
from bot.core.checks import is_facilitator
from bot.core.lookup import members_where
from bot.core.outbox import PRIORITY_ALERT
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.crisis.followup import talk_dm_note, talk_request
from bot.crisis.reply import FoldedAlert, ReplyLevel, alert_dm_note, alert_summary
from bot.crisis.store import Alert, CrisisRepository, Reader
from cogs.crisis.views import alert_view, jump_url, render_alert, summary_view

log = logging.getLogger(__name__)

# At most one automatic reply per person in this window, and one open alert per member and
# reader below urgent; an urgent verdict always gets both.
REPLY_GAP = timedelta(hours=6)
# Facilitator alerts go through the outbox (first in line after crisis replies).
ALERT_KIND = "crisis:alert"
# When the alerts channel is missing or refuses the alert: one DM to each facilitator.
ALERT_DM_KIND = "crisis:alert-dm"
# A member asked, from the follow-up, to talk with a facilitator (the same two routes).
TALK_KIND = "crisis:talk"
TALK_DM_KIND = "crisis:talk-dm"
# Past the hourly cap (Cooldowns.ALERTS) a group's alerts fold into one summary, sent this long
# after the first folded one (a schedule row: a restart neither loses nor repeats it).
SUMMARY_KIND = "crisis:alert-summary"
SUMMARY_DM_KIND = "crisis:alert-summary-dm"
SUMMARY_DELAY = timedelta(minutes=10)
SUMMARY_GRACE = timedelta(days=1)
_UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class NoticedMessage:
    """A message known by its ids and author only: what AutoMod reports (never its words)."""

    id: int
    author: discord.Member
    guild: discord.Guild
    channel: discord.TextChannel | discord.Thread | discord.VoiceChannel


# What the crisis path answers: a message read in full, or one AutoMod noticed.
Noticed = discord.Message | NoticedMessage


class CrisisAlerts:
    """The alerting half of the crisis cog (mixed into :class:`cogs.crisis.commands.Crisis`)."""

    bot: ResilienceBot
    repo: CrisisRepository

    def _start_alerts(self) -> None:
        self._folding = asyncio.Lock()
        self.bot.outbox.on_delivered(ALERT_KIND, self._alert_delivered)
        self.bot.outbox.on_failed(ALERT_KIND, self._alert_failed)
        self.bot.outbox.on_failed(TALK_KIND, self._talk_failed)
        self.bot.outbox.on_failed(SUMMARY_KIND, self._summary_failed)
        self.bot.scheduler.register(SUMMARY_KIND, self._summary_due, grace=SUMMARY_GRACE)

    def _stop_alerts(self) -> None:
        self.bot.scheduler.unregister(SUMMARY_KIND)
        for kind in (ALERT_KIND, TALK_KIND, SUMMARY_KIND):
            self.bot.outbox.forget_callbacks(kind)

    async def _alert(
        self,
        message: Noticed,
        guild: discord.Guild,
        level: ReplyLevel,
        event_id: int | None,
        *,
        reader: Reader = "self",
        target_id: int | None = None,
    ) -> bool:
        """Raise the alert (unless the group turned alerts off); True if the facilitators know."""
        settings = await self.repo.settings(guild.id)
        if not settings.alerts:
            return False
        config = await self.bot.guilds_repo.get(guild.id)
        # Only a channel set up for alerts: never the group channel fallback, which members read.
        channel_id = config.channels.get("alerts")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        now = self.bot.clock.now()
        if level != "urgent":
            since = now - REPLY_GAP
            recent = await self.repo.recent_unresolved_alert(
                guild.id, message.author.id, since, reader=reader
            )
            if recent is not None:
                return True
        alert_id = await self.repo.create_alert(
            guild.id,
            message.author.id,
            event_id,
            level,
            message.channel.id,
            message.id,
            now,
            reader=reader,
            target_id=target_id,
        )
        alert = await self.repo.get_alert(alert_id)
        assert alert is not None
        folded = self.bot.cooldowns.alerts.hit(guild.id) is not None
        self.bot.metrics.alert_raised(guild.id, level, reader, folded=folded)
        if folded:
            # Over this hour's cap: it waits for the one summary (its row is already counted).
            await self._fold(alert)
            return True
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            log.warning(
                "crisis alert #%s: no alerts channel set in guild %s; DMing facilitators", alert_id, guild.id
            )
            await self._alert_by_dm(alert, channel_missing=True)
        else:
            content = render_alert(alert)
            mentions = discord.AllowedMentions.none()
            role_id = config.facilitator_role_id
            # Harassment is a moderation matter: never the crisis ping.
            if level == "urgent" and reader != "harassment" and settings.ping_urgent and role_id:
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
        await self._drain_inline()
        return True

    async def _drain_inline(self) -> None:
        if self.bot.outbox.inline:
            # An injected clock (tests, the demo) has no worker: send it now, as the worker would.
            await self.bot.outbox.drain()

    async def _facilitators(self, guild_id: int, *, besides: int) -> list[discord.Member]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return []
        config = await self.bot.guilds_repo.get(guild_id)
        # No member cache (bot.core.lookup): the member list is paged through REST, this once.
        return await members_where(
            guild, lambda m: not m.bot and m.id != besides and is_facilitator(m, config)
        )

    async def _alert_by_dm(self, alert: Alert, *, channel_missing: bool) -> None:
        """The alert, privately, to every facilitator of the group except its subject."""
        people = await self._facilitators(alert.guild_id, besides=alert.user_id)
        if not people:
            log.error(
                "crisis alert #%s reached no facilitator in guild %s (none, or not available)",
                alert.alert_id,
                alert.guild_id,
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

    # -- a member asked to talk -------------------------------------------------------------------

    async def request_talk(self, guild_id: int, member_id: int, event_id: int) -> None:
        """Tell the group's facilitators, privately, that this member asked to talk (nothing else).

        Sent even when the group turned automatic alerts off: the member asked for it themself.
        Keyed by the reply it answers, so pressing the button again sends nothing more.
        """
        config = await self.bot.guilds_repo.get(guild_id)
        channel_id = config.channels.get("alerts")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        at_unix = int(self.bot.clock.now().timestamp())
        content = talk_request(member_id=member_id, at_unix=at_unix)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            await self.bot.outbox.enqueue(
                guild_id=guild_id,
                kind=TALK_KIND,
                key=str(event_id),
                channel_id=channel.id,
                content=content,
                allowed_mentions=discord.AllowedMentions.none(),
                priority=PRIORITY_ALERT,
                ref=f"{member_id}:{event_id}",
            )
        else:
            await self._talk_by_dm(guild_id, member_id, event_id, at_unix, channel_missing=True)
        await self._drain_inline()

    async def _talk_by_dm(
        self, guild_id: int, member_id: int, event_id: int, at_unix: int, *, channel_missing: bool
    ) -> None:
        people = await self._facilitators(guild_id, besides=member_id)
        if not people:
            log.error("a request to talk (reply %s) reached no facilitator in guild %s", event_id, guild_id)
            return
        for person in people:
            await self.bot.outbox.enqueue(
                guild_id=guild_id,
                kind=TALK_DM_KIND,
                key=f"{event_id}:{person.id}",
                user_id=person.id,
                content=f"{talk_dm_note(channel_missing=channel_missing)}\n\n"
                f"{talk_request(member_id=member_id, at_unix=at_unix)}",
                allowed_mentions=discord.AllowedMentions.none(),
                priority=PRIORITY_ALERT,
            )

    async def _talk_failed(self, row: OutboxRow, reason: str) -> None:
        member, _, event = row.ref.partition(":")
        if not (member.isdigit() and event.isdigit()):
            return
        log.warning(
            "a request to talk (reply %s) could not be posted (%s); DMing facilitators", event, reason
        )
        at_unix = int(row.due_at.timestamp())
        await self._talk_by_dm(row.guild_id, int(member), int(event), at_unix, channel_missing=False)

    # -- more alerts than the hourly cap: one summary -----------------------------------------

    async def _fold(self, alert: Alert) -> None:
        """Add the alert to the group's waiting summary, or start one due in SUMMARY_DELAY."""
        async with self._folding:
            waiting = await self.bot.scheduler.get(alert.guild_id, SUMMARY_KIND)
            if waiting is not None and waiting.next_due is not None:
                ids = [*waiting.payload.get("alerts", []), alert.alert_id]
                rule = waiting.rule
            else:
                ids = [alert.alert_id]
                rule = Rule.once(self.bot.clock.now() + SUMMARY_DELAY, _UTC)
            await self.bot.scheduler.set(alert.guild_id, SUMMARY_KIND, rule, payload={"alerts": ids})
        log.info("crisis alert #%s folded into guild %s's summary", alert.alert_id, alert.guild_id)

    async def _summary_due(self, schedule: Schedule, occurrence: datetime) -> None:
        alerts = [
            alert
            for alert_id in schedule.payload.get("alerts", [])
            if (alert := await self.repo.get_alert(int(alert_id))) is not None
            and alert.guild_id == schedule.guild_id
            and alert.state in ("open", "claimed")
        ]
        if not alerts:
            return
        content, view = self._summary(alerts)
        settings = await self.repo.settings(schedule.guild_id)
        config = await self.bot.guilds_repo.get(schedule.guild_id)
        mentions = discord.AllowedMentions.none()
        role_id = config.facilitator_role_id
        if settings.ping_urgent and role_id and content.startswith("🔴"):
            content = f"<@&{role_id}> {content}"
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(role_id)])
        channel_id = config.channels.get("alerts")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        key = occurrence_key(schedule, occurrence)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            await self.bot.outbox.enqueue(
                guild_id=schedule.guild_id,
                kind=SUMMARY_KIND,
                key=key,
                channel_id=channel.id,
                content=content,
                view=view,
                allowed_mentions=mentions,
                priority=PRIORITY_ALERT,
                ref=",".join(str(a.alert_id) for a in alerts),
            )
        else:
            await self._summary_by_dm(schedule.guild_id, alerts, key, channel_missing=True)

    def _summary(self, alerts: list[Alert]) -> tuple[str, discord.ui.View]:
        folded = [
            FoldedAlert(
                alert_id=a.alert_id,
                level=a.level,
                reader=a.reader,
                member_id=a.user_id,
                channel_id=a.source_channel_id,
                jump_url=jump_url(a),
                at_unix=int(a.created_at.timestamp()),
            )
            for a in alerts
        ]
        return alert_summary(folded, cap=self.bot.cooldowns.ALERTS[0]), summary_view(alerts)

    async def _summary_by_dm(
        self, guild_id: int, alerts: list[Alert], key: str, *, channel_missing: bool
    ) -> None:
        people = await self._facilitators(guild_id, besides=0)
        subjects = {a.user_id for a in alerts}
        people = [p for p in people if p.id not in subjects]
        if not people:
            log.error(
                "a summary of %s crisis alerts reached no facilitator in guild %s", len(alerts), guild_id
            )
            return
        content, view = self._summary(alerts)
        for person in people:
            await self.bot.outbox.enqueue(
                guild_id=guild_id,
                kind=SUMMARY_DM_KIND,
                key=f"{key}:{person.id}",
                user_id=person.id,
                content=f"{alert_dm_note(channel_missing=channel_missing)}\n\n{content}",
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
                priority=PRIORITY_ALERT,
            )

    async def _summary_failed(self, row: OutboxRow, reason: str) -> None:
        ids = [int(part) for part in row.ref.split(",") if part.isdigit()]
        alerts = [
            a
            for i in ids
            if (a := await self.repo.get_alert(i)) is not None and a.state in ("open", "claimed")
        ]
        if alerts:
            log.warning("a crisis alert summary could not be posted (%s); DMing facilitators", reason)
            await self._summary_by_dm(row.guild_id, alerts, row.dedupe_key, channel_missing=False)
