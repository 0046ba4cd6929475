"""What the ``Pairs`` cog does by itself: scheduled rounds, follow-ups and ends, archiving a
thread once its goodbye is posted, following the group's timezone, and members leaving."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

import discord
from discord.ext import commands

from bot.core.outbox import PRIORITY_ALERT
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.pairs.logic import group_count, mention
from cogs.pairs.rounds import (
    END_KIND,
    FOLLOWUP_KIND,
    FOLLOWUP_SEND_KIND,
    GOODBYE_KIND,
    NOTE_KIND,
    ROUND_KIND,
    PairRounds,
)
from cogs.pairs.views import answer_view

log = logging.getLogger(__name__)


class PairJobs(PairRounds):
    """Scheduled handlers, the outbox callback and listeners of the ``Pairs`` cog."""

    def start_jobs(self) -> None:
        """Register the scheduled handlers, the outbox callback and the /setup listener."""
        self.bot.scheduler.register(ROUND_KIND, self._scheduled_round)
        self.bot.scheduler.register(FOLLOWUP_KIND, self._followup)
        self.bot.scheduler.register(END_KIND, self._end)
        self.bot.outbox.on_delivered(GOODBYE_KIND, self._goodbye_delivered)
        self.bot.on_config_change(self._config_changed)

    def stop_jobs(self) -> None:
        """Undo :meth:`start_jobs` (the cog is unloading)."""
        for kind in (ROUND_KIND, FOLLOWUP_KIND, END_KIND):
            self.bot.scheduler.unregister(kind)
        self.bot.remove_config_listener(self._config_changed)

    async def _scheduled_round(self, schedule: Schedule, occurrence: datetime) -> None:
        guild_id = schedule.guild_id
        seed = int(occurrence.timestamp())
        result, text = await self.propose(guild_id, seed)
        key = occurrence_key(schedule, occurrence)
        if result.problem:
            await self._tell_facilitators(guild_id, f"No pairs round this time. {text}", key=key)
            return
        day = schedule.payload.get("followup_day")
        summary = await self.start_round(guild_id, result, seed, followup_day=int(day) if day else None)
        await self.bot.audit.record(guild_id, 0, "pairs:round_run", group_count(summary))
        if result.unplaced:
            await self._tell_facilitators(
                guild_id,
                summary + "\n" + "\n".join(f"- {mention(u.member)}: {u.message}" for u in result.unplaced),
                key=key,
            )

    async def _tell_facilitators(self, guild_id: int, text: str, *, key: str) -> None:
        config = await self.bot.guilds_repo.get(guild_id)
        alerts_id = config.channel("alerts")
        alerts = self.bot.get_channel(alerts_id) if alerts_id else None
        if isinstance(alerts, discord.TextChannel):
            await self._send(
                guild_id, NOTE_KIND, key, text[:2000], channel_id=alerts.id, priority=PRIORITY_ALERT
            )

    async def _followup(self, schedule: Schedule, occurrence: datetime) -> None:
        round_ = await self.repo.get_round(int(schedule.payload["round_id"]))
        if round_ is None or round_.status != "active":
            return
        when = "Halfway through the round" if schedule.payload.get("followup_day") is None else "A check-in"
        text = f"{when}: how's it going? Each of you can answer; only totals reach the facilitators."
        for group in await self.repo.groups(round_.round_id):
            if not group.members:
                continue
            key = str(group.group_id)
            thread = self.bot.get_channel(group.thread_id) if group.thread_id else None
            if isinstance(thread, discord.Thread):
                await self._send(
                    group.guild_id,
                    FOLLOWUP_SEND_KIND,
                    key,
                    text,
                    channel_id=thread.id,
                    view=answer_view(group.group_id),
                )
                continue
            for member_id in group.members:
                await self._dm(
                    group.guild_id, member_id, text, FOLLOWUP_SEND_KIND, key, view=answer_view(group.group_id)
                )

    async def _end(self, schedule: Schedule, occurrence: datetime) -> None:
        round_ = await self.repo.get_round(int(schedule.payload["round_id"]))
        if round_ is not None and round_.status == "active":
            await self.end_round(round_)

    async def _config_changed(self, guild_id: int) -> None:
        """Keep the weekly round at the same local time when the group's timezone changes."""
        existing = await self.bot.scheduler.get(guild_id, ROUND_KIND)
        if existing is None:
            return
        zone = await self._zone(guild_id)
        if existing.rule.tz.key != zone.key:
            await self.bot.scheduler.set(
                guild_id, ROUND_KIND, dataclasses.replace(existing.rule, tz=zone), payload=existing.payload
            )

    async def _goodbye_delivered(self, row: OutboxRow, _message_id: int | None) -> None:
        thread = self.bot.get_channel(row.channel_id) if row.channel_id else None
        if not isinstance(thread, discord.Thread):
            return
        try:
            await thread.edit(archived=True)
        except discord.HTTPException:
            log.warning("could not archive pair thread %s", thread.id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # The raw event: on_member_remove fires only for cached members, and none are cached.
        await self.depart(payload.guild_id, payload.user.id, reason="left the server")
        await self.repo.forget_member(payload.guild_id, payload.user.id)
