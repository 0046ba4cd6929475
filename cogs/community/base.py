"""What the four community cogs share: their header, the group's channels, a scheduled post and
a schedule kept in step with the group.

Prompts and sessions (and celebrations and goals after them) each opened with the same lines:
keep the bot and the repository, register their scheduled handlers and outbox callbacks, follow
``/setup`` changes, read the group's zone; and each posted an occurrence the same way. Here once.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import discord

from bot.community.store import CommunityRepository
from bot.core.bot import ResilienceBot
from bot.core.outbox_delivery import Delivered
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import Handler, occurrence_key

NO_MENTIONS = discord.AllowedMentions.none()


class CommunityCog:
    """The base of the ``Prompts``, ``Sessions``, ``Celebrations`` and ``Goals`` cogs."""

    # Re-derive this cog's schedules for every configured group when it loads.
    derive_on_load: ClassVar[bool] = False

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = CommunityRepository(bot.db)
        super().__init__()

    # -- the header: what a cog registers, and undoes on unload -----------------------------------

    def scheduled(self) -> dict[str, Handler]:
        """Schedule kind -> the handler that sends for it."""
        return {}

    def delivered(self) -> dict[str, Delivered]:
        """Outbox kind -> what to do once its message is posted."""
        return {}

    async def config_changed(self, guild_id: int) -> None:
        """A group's ``/setup`` changed (its zone, its channels): re-derive what depends on it."""

    async def cog_load(self) -> None:
        for kind, handler in self.scheduled().items():
            self.bot.scheduler.register(kind, handler)
        for kind, callback in self.delivered().items():
            self.bot.outbox.on_delivered(kind, callback)
        self.bot.on_config_change(self.config_changed)
        if self.derive_on_load:
            for guild_id in await self.repo.configured_guilds():
                await self.config_changed(guild_id)

    async def cog_unload(self) -> None:
        for kind in self.scheduled():
            self.bot.scheduler.unregister(kind)
        self.bot.remove_config_listener(self.config_changed)

    # -- the group ----------------------------------------------------------------------------------

    async def zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    async def text_channel(
        self, guild_id: int, purpose: str, chosen: int | None = None
    ) -> discord.TextChannel | None:
        """``chosen``, else the group's ``purpose`` channel from ``/setup``, if it is a text channel."""
        config = await self.bot.guilds_repo.get(guild_id)
        target = chosen or config.channel(purpose)
        channel = self.bot.get_channel(target) if target else None
        return channel if isinstance(channel, discord.TextChannel) else None

    # -- the post and schedule blocks ---------------------------------------------------------------

    async def post_occurrence(
        self, schedule: Schedule, occurrence: datetime, channel_id: int, *, priority: int, **message: Any
    ) -> None:
        """Queue one occurrence's post, pinging nobody: the outbox paces it and sends it once."""
        await self.bot.outbox.enqueue(
            guild_id=schedule.guild_id,
            kind=schedule.kind,
            key=occurrence_key(schedule, occurrence),
            channel_id=channel_id,
            allowed_mentions=NO_MENTIONS,
            priority=priority,
            **message,
        )

    async def reschedule(self, schedule: Schedule, rule: Rule, *, enabled: bool) -> Schedule:
        """The same schedule (kind, key, payload) on a new rule, or switched on or off."""
        return await self.bot.scheduler.set(
            schedule.guild_id,
            schedule.kind,
            rule,
            key=schedule.key,
            payload=schedule.payload,
            enabled=enabled,
        )

    async def keep_daily(self, guild_id: int, kind: str, at: time) -> None:
        """A daily schedule at ``at`` in the group's zone; written again only when that changed."""
        rule = Rule.daily(at, await self.zone(guild_id))
        existing = await self.bot.scheduler.get(guild_id, kind)
        if existing is None or existing.rule != rule:
            await self.bot.scheduler.set(guild_id, kind, rule)
