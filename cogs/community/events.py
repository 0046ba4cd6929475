"""Sessions as Discord scheduled events: the next two sessions each have one, kept in step with
``/session set``, ``skip`` and ``cover``; "Interested" on an event counts as Going.

Without the Create Events / Manage Events permission the reminder's buttons are all there is,
and ``/setup show`` says so. An event someone deletes is made again (one log line), or, when it
can't be, the buttons carry on alone (one log line).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import discord
from discord.ext import commands

from bot.community.session_events import (
    EVENT_NAME,
    EVENTS_AHEAD,
    RsvpTotals,
    combine_rsvps,
    event_description,
    event_location,
    event_url,
    plan_event_changes,
    session_end,
)
from bot.community.sessions import upcoming_sessions
from bot.community.store import CommunitySettings, SessionEvent
from bot.core.bot import ResilienceBot
from bot.core.bounded import KeyedLocks
from cogs.community.base import CommunityCog

log = logging.getLogger(__name__)

LIVE = (discord.EventStatus.scheduled, discord.EventStatus.active)
REASON = "The group's regular session (/session set)"
VoiceLike = discord.VoiceChannel | discord.StageChannel
FALLBACK_NOTICE = (
    "**Session events:** I can't create Discord events in this server (my role needs *Create "
    "Events* and *Manage Events*), so sessions use the Going / Can't make it buttons on the "
    "reminders. As soon as my role has them, I'll add the next two sessions as events."
)


def can_manage_events(guild: discord.Guild) -> bool:
    """Whether the bot may create events and keep its own in step."""
    permissions = guild.me.guild_permissions
    return permissions.manage_events or permissions.create_events


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What one session's event should say and where it is."""

    start: datetime
    description: str
    location: str
    channel: VoiceLike | None

    def matches(self, event: discord.ScheduledEvent) -> bool:
        if event.name != EVENT_NAME or event.start_time != self.start:
            return False
        if (event.description or "") != self.description:
            return False
        if self.channel is not None:
            return event.channel_id == self.channel.id
        return event.entity_type is discord.EntityType.external and event.location == self.location


def voice_channel(guild: discord.Guild, where: str | None) -> VoiceLike | None:
    """The voice or stage channel ``where`` names (a mention or its name), if it names one."""
    if not where:
        return None
    mention = re.fullmatch(r"<#(\d+)>", where.strip())
    if mention:
        found = guild.get_channel(int(mention[1]))
        return found if isinstance(found, VoiceLike) else None
    name = where.strip().lstrip("#").casefold()
    channels: list[VoiceLike] = [*guild.voice_channels, *guild.stage_channels]
    for channel in channels:
        if channel.name.casefold() == name:
            return channel
    return None


class SessionEvents(CommunityCog):
    """Keeps a guild scheduled event for each of the next two sessions (a base of ``Sessions``)."""

    def __init__(self, bot: ResilienceBot) -> None:
        super().__init__(bot)
        # Event id -> who marked it Interested (not bots): read once with ScheduledEvent.users(),
        # then kept current by the gateway's user add / remove. In memory only, never stored.
        self._interested: dict[int, set[int]] = {}
        # Guilds already told (in the log) that the buttons are used without events.
        self._fallback_logged: set[int] = set()
        self._startup: asyncio.Task[None] | None = None
        # One sync per guild at a time: a deletion heard while a command syncs makes one event.
        self._locks: KeyedLocks[int] = KeyedLocks()

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.add_setup_notice(self.events_notice)
        self._startup = asyncio.create_task(self._sync_when_ready(), name="session:events:start")

    async def cog_unload(self) -> None:
        await super().cog_unload()
        self.bot.remove_setup_notice(self.events_notice)
        if self._startup is not None and not self._startup.done():
            self._startup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._startup

    async def _sync_when_ready(self) -> None:
        """At start-up: the events the bot missed while it was down (it needs the guild cache)."""
        await self.bot.wait_until_ready()
        for guild_id in await self.repo.session_guilds():
            if self.bot.get_guild(guild_id) is not None:
                await self.sync_events(guild_id)

    async def events_notice(self, guild_id: int) -> str | None:
        """``/setup show``'s line when sessions fall back to the reminder buttons."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or can_manage_events(guild):
            return None
        return FALLBACK_NOTICE if (await self.repo.settings(guild_id)).plan is not None else None

    # -- keeping the events in step -----------------------------------------------------------

    async def sync_events(self, guild_id: int) -> None:
        """Create, move or cancel events so the next two sessions each have exactly one.

        Safe to call any number of times: events are keyed by guild and session date. Discord
        refusing (a permission taken away, an outage) never fails the command that called it.
        """
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        try:
            async with self._locks.hold(guild_id):
                await self._sync(guild)
        except discord.Forbidden:
            self._fall_back(guild, "Discord refused an event change")
        except discord.HTTPException as error:
            log.warning("session events in guild %s not updated: HTTP %s", guild_id, error.status)

    async def _sync(self, guild: discord.Guild) -> None:
        settings = await self.repo.settings(guild.id)
        tz = await self.zone(guild.id)
        now = self.bot.clock.now()
        held = {e.day: e for e in await self.repo.upcoming_session_events(guild.id, now)}
        skipped = await self.repo.skipped(guild.id)
        wanted: dict[date, datetime] = {}
        if settings.plan is not None:
            for at in upcoming_sessions(settings.plan, tz, now, skipped, EVENTS_AHEAD):
                wanted[at.astimezone(tz).date()] = at
        if not can_manage_events(guild):
            await self._forget_gone(guild, held.values(), now)
            if wanted:
                self._fall_back(guild, "no Create Events / Manage Events permission")
            return
        self._fallback_logged.discard(guild.id)
        changes = plan_event_changes(wanted, held, skipped)
        for day in changes.cancel:
            await self._cancel(guild, held[day], now)
        for old, new in changes.keep:
            details = await self._details(guild, settings, wanted[new])
            await self._keep(guild, held[old], new, details, now)
        for day in changes.create:
            event = await self._create(guild, await self._details(guild, settings, wanted[day]))
            await self.repo.put_session_event(guild.id, day, wanted[day], event.id, "scheduled", now)

    def _fall_back(self, guild: discord.Guild, why: str) -> None:
        if guild.id not in self._fallback_logged:
            self._fallback_logged.add(guild.id)
            log.warning("session events off in guild %s (%s): using the reminder buttons", guild.id, why)

    async def _forget_gone(self, guild: discord.Guild, held: Iterable[SessionEvent], now: datetime) -> None:
        """Without the permission: an event that is gone stops being linked from reminders."""
        for row in held:
            if await self._live(guild, row.event_id) is None:
                await self.repo.put_session_event(
                    guild.id, row.day, row.starts_at, row.event_id, "cancelled", now
                )

    async def _details(
        self, guild: discord.Guild, settings: CommunitySettings, start: datetime
    ) -> EventDetails:
        assert settings.plan is not None
        where = settings.plan.where
        group = await self.text_channel(guild.id, "group")
        return EventDetails(
            start=start,
            description=event_description(settings.cover),
            location=event_location(where, group.name if group else None),
            channel=voice_channel(guild, where),
        )

    async def _live(self, guild: discord.Guild, event_id: int) -> discord.ScheduledEvent | None:
        """The event, if it is still there and not over or cancelled."""
        event = guild.get_scheduled_event(event_id)
        if event is None:
            try:
                event = await guild.fetch_scheduled_event(event_id)
            except discord.NotFound:
                return None
        return event if event.status in LIVE else None

    async def _create(self, guild: discord.Guild, details: EventDetails) -> discord.ScheduledEvent:
        if details.channel is not None:
            return await guild.create_scheduled_event(
                name=EVENT_NAME,
                start_time=details.start,
                end_time=session_end(details.start),
                channel=details.channel,
                description=details.description,
                privacy_level=discord.PrivacyLevel.guild_only,
                reason=REASON,
            )
        return await guild.create_scheduled_event(
            name=EVENT_NAME,
            start_time=details.start,
            end_time=session_end(details.start),
            entity_type=discord.EntityType.external,
            location=details.location,
            description=details.description,
            privacy_level=discord.PrivacyLevel.guild_only,
            reason=REASON,
        )

    async def _keep(
        self, guild: discord.Guild, row: SessionEvent, day: date, details: EventDetails, now: datetime
    ) -> None:
        """Keep ``row``'s event in step for the session on ``day`` (its own date, or a new one)."""
        event = await self._live(guild, row.event_id)
        if event is None:
            event = await self._create(guild, details)
            self._interested.pop(row.event_id, None)
            log.warning("session event for %s in guild %s was gone; made it again", day, guild.id)
        elif not details.matches(event):
            await self._edit(event, details)
        if (day, details.start, event.id) != (row.day, row.starts_at, row.event_id):
            await self.repo.put_session_event(
                guild.id, day, details.start, event.id, "scheduled", now, moved_from=row.day
            )

    async def _edit(self, event: discord.ScheduledEvent, details: EventDetails) -> None:
        end = session_end(details.start)
        if details.channel is not None:
            await event.edit(
                name=EVENT_NAME,
                description=details.description,
                channel=details.channel,
                start_time=details.start,
                end_time=end,
                reason=REASON,
            )
            return
        await event.edit(
            name=EVENT_NAME,
            description=details.description,
            start_time=details.start,
            end_time=end,
            entity_type=discord.EntityType.external,
            location=details.location,
            reason=REASON,
        )

    async def _cancel(self, guild: discord.Guild, row: SessionEvent, now: datetime) -> None:
        event = await self._live(guild, row.event_id)
        if event is not None:
            await event.cancel(reason="This session is skipped (/session skip)")
        self._interested.pop(row.event_id, None)
        await self.repo.put_session_event(guild.id, row.day, row.starts_at, row.event_id, "cancelled", now)

    # -- who is coming ------------------------------------------------------------------------

    async def event_link(self, guild_id: int, day: date) -> str | None:
        """The address of the session's event, when it has one."""
        row = await self.repo.session_event(guild_id, day)
        return event_url(guild_id, row.event_id) if row and row.status == "scheduled" else None

    async def interested(self, guild_id: int, day: date) -> set[int] | None:
        """Who marked the session's event Interested; None when the session has no event."""
        row = await self.repo.session_event(guild_id, day)
        guild = self.bot.get_guild(guild_id)
        if row is None or row.status != "scheduled" or guild is None:
            return None
        if row.event_id not in self._interested:
            event = await self._live(guild, row.event_id)
            if event is None:
                return None
            self._interested[row.event_id] = {u.id async for u in event.users() if not u.bot}
        return set(self._interested[row.event_id])

    async def rsvp_totals(self, guild_id: int, day: date) -> RsvpTotals:
        """Going (the button or Interested on the event) and can't make it, each person once."""
        answers = await self.repo.rsvp_answers(guild_id, day)
        try:
            interested = await self.interested(guild_id, day)
        except discord.HTTPException as error:
            log.warning("could not read who is interested in guild %s: HTTP %s", guild_id, error.status)
            interested = None
        return combine_rsvps(answers, interested)

    # -- what Discord tells the bot -----------------------------------------------------------

    @commands.Cog.listener()
    async def on_scheduled_event_interest(self, event_id: int, user_id: int, added: bool) -> None:
        """Someone marked or unmarked Interested (``ResilienceBot._hear_interest``: by id, as the
        bot caches no member, so discord.py's own user add/remove events rarely fire)."""
        known = self._interested.get(event_id)
        if known is None or (self.bot.user is not None and user_id == self.bot.user.id):
            return
        if added:
            known.add(user_id)
        else:
            known.discard(user_id)

    @commands.Cog.listener()
    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        """Someone deleted a session's event: make it again (or fall back to the buttons)."""
        row = await self.repo.session_event_by_id(event.guild_id, event.id)
        if row is not None and row.status == "scheduled":
            self._interested.pop(event.id, None)
            await self.sync_events(event.guild_id)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        """The bot's role may just have been given the permission: add the events now."""
        guild = after.guild
        had = before.permissions.manage_events or before.permissions.create_events
        if after in guild.me.roles and not had and can_manage_events(guild):
            await self.sync_events(guild.id)
