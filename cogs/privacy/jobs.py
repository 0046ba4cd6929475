"""A group's upkeep: forgetting members who left, the daily clean-up of old free text (in the
group's own night) and the daily SQLite backup."""

from __future__ import annotations

import logging
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import discord
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.db import SqliteDatabase
from bot.privacy import backup as backups
from bot.privacy.retention import PURGE_KIND
from bot.privacy.store import PrivacyRepository

log = logging.getLogger(__name__)

PURGE_AT = time(3, 30)
BACKUP_AT = time(3, 0)
INSTANCE = 0  # schedules that belong to the bot as a whole, not to one group


class PrivacyUpkeep:
    """The scheduled half of the privacy cog (mixed into :class:`cogs.privacy.commands.Privacy`)."""

    bot: ResilienceBot
    repo: PrivacyRepository

    async def ensure_schedule(self, guild_id: int) -> None:
        """The group's daily clean-up, in the group's own night."""
        zone = await self.bot.group_timezone(guild_id)
        rule = Rule.daily(PURGE_AT, ZoneInfo(zone))
        existing = await self.bot.scheduler.get(guild_id, PURGE_KIND)
        if existing is None or existing.rule != rule:
            await self.bot.scheduler.set(guild_id, PURGE_KIND, rule)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # The raw event: on_member_remove fires only for cached members, and none are cached.
        guild_id, user_id = payload.guild_id, payload.user.id
        if await self.bot.members.get(guild_id, user_id) is None:
            return
        await self.bot.members.mark_left(guild_id, user_id, self.bot.clock.now())
        if (await self.repo.retention(guild_id)).leave_days == 0:
            await self.forget_departed(guild_id, [user_id])

    async def forget_departed(self, guild_id: int, user_ids: list[int]) -> int:
        total = 0
        for user_id in user_ids:
            total += sum((await self.repo.erase_member(guild_id, user_id, personal=False)).values())
        return total

    async def purge(self, schedule: Schedule, occurrence: datetime) -> None:
        """Daily: delete members who left longer ago than the grace, and old free text."""
        guild_id = schedule.guild_id
        retention = await self.repo.retention(guild_id)
        now = self.bot.clock.now()
        departed = await self.repo.left_before(guild_id, retention.leave_cutoff(now))
        removed = await self.forget_departed(guild_id, departed)
        texts = await self.repo.purge_free_text(guild_id, retention.notes_cutoff(now))
        if departed or texts:
            detail = f"{len(departed)} former members ({removed} records), {sum(texts.values())} old texts"
            await self.bot.audit.record(guild_id, 0, "privacy:purged", detail)

    async def backup_now(self) -> Path:
        """An online backup of the live database into ``BACKUP_DIR``, keeping ``BACKUP_KEEP``."""
        settings = self.bot.settings
        db = self.bot.db
        if not isinstance(db, SqliteDatabase):
            raise RuntimeError("online backups need the SQLite database")
        partial, final = backups.target_for(settings.backup_dir, self.bot.clock.now())
        await db.backup_to(partial)
        partial.replace(final)
        backups.prune(settings.backup_dir, settings.backup_keep)
        return final

    async def scheduled_backup(self, schedule: Schedule, occurrence: datetime) -> None:
        path = await self.backup_now()
        log.info("database backed up to %s", path)
