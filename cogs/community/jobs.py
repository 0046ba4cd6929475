"""What the community cogs do by themselves: scheduled prompts (kept out of quiet hours) and
their threads, session reminders and digests, milestone cards, and goals passed on to partners.

Each class is the base of one cog (``Prompts``, ``Sessions``, ``Celebrations``, ``Goals``); the
commands are in the cog's own module beside this one.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.community.celebrations import MilestoneKind, milestone_text, milestone_win, new_milestones
from bot.community.digest import digest_text
from bot.community.goals import partner_goal_text
from bot.community.prompts import prompt_text, quiet_release, with_zone
from bot.community.sessions import SessionPlan, reminder_text, session_after
from bot.community.store import CommunitySettings, Goal, PromptRow
from bot.core.errors import UserError
from bot.core.lookup import QUERY_TIMEOUT, find_members
from bot.core.outbox import PRIORITY_DIGEST, PRIORITY_DM, PRIORITY_POST
from bot.core.outbox_delivery import Delivered
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import Handler, occurrence_key
from cogs.community.base import CommunityCog
from cogs.community.digest import SessionDigest
from cogs.community.views import digest_card, milestone_card, prompt_embed, reminder_card, thread_name

log = logging.getLogger(__name__)

PROMPT_POST = "prompt:post"
PROMPT_DEFERRED = "prompt:deferred"
THREAD = "thread"  # an outbox row's ref: open a thread on the prompt once it is posted
SESSION_REMINDER = "session:reminder"
SESSION_DIGEST = "session:digest"
SESSION_DM = "session:dm"
# At each session's start: the next sessions' Discord events (the one after next is made now).
SESSION_EVENTS = "session:events"
MILESTONES = "celebrations:milestones"
MILESTONE_CARD = "celebrations:milestone"
# Early evening in the group's zone: the day's practice is mostly in, and it isn't late.
MILESTONES_AT = time(19, 0)
REACTIONS = ("🎉", "👏", "💛")
GOAL_PARTNER_DM = "goals:partner"
# Daily: goals shared with a partner reach a partner who arrived since (a new pair round).
GOAL_CATCH_UP = "goals:partner-share"
GOAL_CATCH_UP_AT = time(18, 0)
# A goal finished while the member had no partner is still passed on for this long.
DONE_SHARE_WINDOW = timedelta(days=14)


class PromptJobs(CommunityCog):
    """Scheduled prompts: sent through the outbox, held back in quiet hours, a thread once posted."""

    def scheduled(self) -> dict[str, Handler]:
        return {PROMPT_POST: self._fire, PROMPT_DEFERRED: self._fire_deferred}

    def delivered(self) -> dict[str, Delivered]:
        # Scheduled prompts go out through the outbox; a thread opens once the message exists.
        return {PROMPT_POST: self._delivered, PROMPT_DEFERRED: self._delivered}

    async def _channel(self, guild_id: int, channel_id: int | None) -> discord.TextChannel:
        channel = await self.text_channel(guild_id, "group", channel_id)
        if channel is None:
            raise UserError("The group channel isn't set yet. An admin can set it with `/setup channel`.")
        return channel

    async def _fire(self, schedule: Schedule, occurrence: datetime) -> None:
        row = await self.repo.prompt(schedule.guild_id, int(schedule.key))
        if row is None or row.paused:
            return
        settings = await self.repo.settings(schedule.guild_id)
        if settings.quiet_start and settings.quiet_end:
            tz = await self.zone(schedule.guild_id)
            release = quiet_release(occurrence, tz, settings.quiet_start, settings.quiet_end)
            if release is not None:
                # Keyed by occurrence: this occurrence is already claimed in the ledger, and the
                # deferred one-off has its own ledger entry, so each is sent exactly once.
                await self.bot.scheduler.set(
                    schedule.guild_id,
                    PROMPT_DEFERRED,
                    Rule.once(release, tz),
                    key=f"{row.prompt_id}:{int(occurrence.timestamp())}",
                    payload={"prompt_id": row.prompt_id},
                )
                return
        await self._send_scheduled(row, schedule, occurrence)

    async def _fire_deferred(self, schedule: Schedule, occurrence: datetime) -> None:
        row = await self.repo.prompt(schedule.guild_id, int(schedule.payload["prompt_id"]))
        if row is None or row.paused:
            return
        await self._send_scheduled(row, schedule, occurrence)

    async def _send_scheduled(self, row: PromptRow, schedule: Schedule, occurrence: datetime) -> None:
        text = prompt_text(row, self.bot.content.prompts)
        if text is None:
            log.warning("prompt %s has no text any more; not sent", row.prompt_id)
            return
        channel = await self._channel(row.guild_id, row.channel_id)
        await self.post_occurrence(
            schedule,
            occurrence,
            channel.id,
            embed=prompt_embed(text),
            priority=PRIORITY_POST,
            ref=THREAD if row.thread else "",
        )

    async def _delivered(self, row: OutboxRow, message_id: int | None) -> None:
        """A queued prompt was posted: open its thread (not a message send, so direct)."""
        if row.ref != THREAD or message_id is None or row.channel_id is None:
            return
        channel = self.bot.get_channel(row.channel_id)
        embeds = row.payload.get("embeds") or [{}]
        text = str(embeds[0].get("description") or "Reflections")
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await channel.get_partial_message(message_id).create_thread(name=thread_name(text))
        except discord.HTTPException:
            log.warning("could not open a prompt thread in guild %s", row.guild_id)

    async def config_changed(self, guild_id: int) -> None:
        """A new group timezone: recurring prompts keep their local time in the new zone."""
        tz = await self.zone(guild_id)
        for row in await self.repo.prompts(guild_id):
            schedule = await self.bot.scheduler.get(guild_id, PROMPT_POST, str(row.prompt_id))
            if schedule is None or schedule.rule.kind == "once" or schedule.rule.tz.key == tz.key:
                continue
            await self.reschedule(schedule, with_zone(schedule.rule, tz), enabled=not row.paused)


class SessionJobs(SessionDigest):
    """Session reminders (in the group channel with RSVP buttons, and by DM) and the digest."""

    def scheduled(self) -> dict[str, Handler]:
        return {SESSION_REMINDER: self._remind, SESSION_DIGEST: self._digest, SESSION_EVENTS: self._events}

    async def config_changed(self, guild_id: int, old_hours: tuple[int, ...] = ()) -> None:
        """Rebuild the reminder, digest and events schedules from the session plan, then the events."""
        await self._rebuild_schedules(guild_id, old_hours)
        await self.sync_events(guild_id)

    async def _events(self, schedule: Schedule, _occurrence: datetime) -> None:
        await self.sync_events(schedule.guild_id)

    async def _rebuild_schedules(self, guild_id: int, old_hours: tuple[int, ...]) -> None:
        settings = await self.repo.settings(guild_id)
        for hours in set(old_hours) | set(settings.reminder_hours):
            await self.bot.scheduler.remove(guild_id, SESSION_REMINDER, f"{hours}h")
        await self.bot.scheduler.remove(guild_id, SESSION_DIGEST)
        if settings.plan is None:
            await self.bot.scheduler.remove(guild_id, SESSION_EVENTS)
            return
        tz = await self.zone(guild_id)
        for hours in settings.reminder_hours:
            await self.bot.scheduler.set(
                guild_id,
                SESSION_REMINDER,
                settings.plan.before(hours, tz),
                key=f"{hours}h",
                payload={"hours": hours},
            )
        await self.bot.scheduler.set(
            guild_id, SESSION_DIGEST, settings.plan.before(settings.digest_hours, tz), payload={}
        )
        await self.bot.scheduler.set(guild_id, SESSION_EVENTS, settings.plan.rule(tz), payload={})

    async def _session_for(
        self, schedule: Schedule, occurrence: datetime
    ) -> tuple[CommunitySettings, SessionPlan, ZoneInfo, datetime] | None:
        """The (not skipped) session a reminder or digest at ``occurrence`` is about."""
        settings = await self.repo.settings(schedule.guild_id)
        if settings.plan is None:
            return None
        tz = await self.zone(schedule.guild_id)
        session_at = session_after(settings.plan, tz, occurrence)
        if session_at is None:
            return None
        if session_at.astimezone(tz).date() in await self.repo.skipped(schedule.guild_id):
            return None
        return settings, settings.plan, tz, session_at

    async def _remind(self, schedule: Schedule, occurrence: datetime) -> None:
        found = await self._session_for(schedule, occurrence)
        if found is None:
            return
        _settings, plan, tz, session_at = found
        hours = int(schedule.payload.get("hours", 1))
        day = session_at.astimezone(tz).date()
        link = await self.event_link(schedule.guild_id, day)
        text = reminder_text(session_at, hours, plan.where, event_url=link)
        channel = await self.text_channel(schedule.guild_id, "group")
        if channel is not None:
            # Through the outbox: paced with every other group's 09:00 posts, sent once.
            await self.post_occurrence(
                schedule, occurrence, channel.id, card=reminder_card(text, day), priority=PRIORITY_POST
            )
        await self._dm_reminders(schedule.guild_id, text, occurrence_key(schedule, occurrence))

    async def _dm_reminders(self, guild_id: int, text: str, key: str) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        for user_id in await self.repo.session_dm_members(guild_id):
            # Still in the server: the members table says (on_raw_member_remove marks who left),
            # as for check-in reminders; a DM Discord refuses marks the member's DMs closed.
            member = await self.bot.members.get(guild_id, user_id)
            if member is None or member.left or member.dm_closed:
                continue
            # The outbox paces the fan-out, sends once, and marks closed DMs (50007) itself.
            await self.bot.outbox.enqueue(
                guild_id=guild_id,
                kind=SESSION_DM,
                key=key,
                user_id=user_id,
                card=reminder_card(text, note=f"From {guild.name}. `/session dm off` stops these."),
                priority=PRIORITY_DM,
            )

    async def _digest(self, schedule: Schedule, occurrence: datetime) -> None:
        found = await self._session_for(schedule, occurrence)
        if found is None:
            return
        _settings, plan, tz, session_at = found
        data, chart, available = await self.digest_data(schedule.guild_id, plan, tz, session_at)
        channel = await self.text_channel(schedule.guild_id, "alerts")
        if channel is None:
            return
        await self.post_occurrence(
            schedule,
            occurrence,
            channel.id,
            card=digest_card(digest_text(data, checkins_available=available), chart),
            files=[chart] if chart else None,
            priority=PRIORITY_DIGEST,
        )


class CelebrationJobs(CommunityCog):
    """The daily milestone check and the reactions under each milestone card."""

    derive_on_load = True

    def scheduled(self) -> dict[str, Handler]:
        return {MILESTONES: self._milestones}

    def delivered(self) -> dict[str, Delivered]:
        return {MILESTONE_CARD: self._react}

    async def config_changed(self, guild_id: int) -> None:
        """The daily milestone check at 19:00 in the group's zone (re-derived on /setup changes)."""
        await self.keep_daily(guild_id, MILESTONES, MILESTONES_AT)

    async def _milestones(self, schedule: Schedule, _occurrence: datetime) -> None:
        """A card per member per kind for the highest milestone newly reached.

        Only members who opted in to public celebrations are looked at. Lower milestones reached
        at the same time (e.g. on the first run) are marked celebrated without a card of their
        own, so nobody gets a burst of cards at once.
        """
        guild_id = schedule.guild_id
        guild = self.bot.get_guild(guild_id)
        channel_id = (await self.bot.guilds_repo.get(guild_id)).channel("wins")
        if guild is None or channel_id is None:
            return
        counts = await self.repo.milestone_counts(guild_id)
        celebrated = await self.repo.celebrated(guild_id)
        now = self.bot.clock.now()
        due: list[tuple[int, MilestoneKind, list[int]]] = []
        for member in await self.bot.members.list_active(guild_id):
            if not member.public_celebrations:
                continue
            for kind, per_member in counts.items():
                done = celebrated.get((member.user_id, kind), set())
                reached = new_milestones(kind, per_member.get(member.user_id, 0), done)
                if reached:
                    due.append((member.user_id, kind, reached))
        # Only people still in the server get a card. Someone who left while the bot was offline
        # is still an active row, so ask Discord about the few due a card (no member cache).
        present = await find_members(guild, [user_id for user_id, _kind, _reached in due])
        for user_id, kind, reached in due:
            person = present.get(user_id)
            if person is None or person.bot:
                continue
            top = reached[-1]
            async with self.bot.db.transaction() as tx:
                if not await self.repo.record_milestones(tx, guild_id, user_id, kind, reached, now):
                    continue
                await self.repo.add_win_tx(tx, guild_id, user_id, milestone_win(kind, top), now)
                await self.bot.outbox.enqueue(
                    guild_id=guild_id,
                    kind=MILESTONE_CARD,
                    key=f"{user_id}:{kind}:{top}",
                    channel_id=channel_id,
                    card=milestone_card(milestone_text(kind, top, person.mention)),
                    allowed_mentions=discord.AllowedMentions(users=[person], everyone=False, roles=False),
                    priority=PRIORITY_POST,
                    tx=tx,
                )

    async def _react(self, row: OutboxRow, message_id: int | None) -> None:
        """A few reactions on a delivered milestone card, so others can join in with one click."""
        if message_id is None or row.channel_id is None:
            return
        for emoji in REACTIONS:
            try:
                await self.bot.http.add_reaction(row.channel_id, message_id, emoji)
            except discord.HTTPException:
                log.info("could not add a reaction to a milestone card in guild %s", row.guild_id)
                return


class GoalJobs(CommunityCog):
    """Goals shared with the accountability partner: the DMs, and a daily catch-up for new partners."""

    derive_on_load = True

    def scheduled(self) -> dict[str, Handler]:
        return {GOAL_CATCH_UP: self._catch_up}

    async def config_changed(self, guild_id: int) -> None:
        await self.keep_daily(guild_id, GOAL_CATCH_UP, GOAL_CATCH_UP_AT)

    async def _share(
        self, guild_id: int, goal: Goal, event: str, *, within: float = QUERY_TIMEOUT
    ) -> list[int] | None:
        """DM the owner's current partner(s) about this goal, once per partner and event.

        Returns the partners who have it now ([] when there is no partner; None when the pairs
        feature isn't there). The DMs go through the outbox.
        """
        guild = self.bot.get_guild(guild_id)
        partners = await self.repo.current_partners(guild_id, goal.user_id)
        if guild is None or not partners:
            return partners if partners is None else []
        # The owner's name and who is still in the server, asked of Discord in one gateway query
        # (no member cache): someone may have left while the bot was offline.
        present = await find_members(guild, [goal.user_id, *partners], within=within)
        owner = present.get(goal.user_id)
        if owner is None:
            return []
        reached: list[int] = []
        now = self.bot.clock.now()
        for partner_id in partners:
            partner = await self.bot.members.get(guild_id, partner_id)
            if partner is None or partner.left or partner_id not in present:
                continue
            reached.append(partner_id)
            async with self.bot.db.transaction() as tx:
                if not await self.repo.mark_goal_shared(
                    tx, guild_id, goal.user_id, goal.goal_id, partner_id, event, now
                ):
                    continue  # they already have it
                await self.bot.outbox.enqueue(
                    guild_id=guild_id,
                    kind=GOAL_PARTNER_DM,
                    key=f"{goal.goal_id}:{event}",
                    user_id=partner_id,
                    content=partner_goal_text(owner.display_name, goal.text, event, guild.name),
                    allowed_mentions=discord.AllowedMentions.none(),
                    priority=PRIORITY_DM,
                    tx=tx,
                )
        return reached

    async def _catch_up(self, schedule: Schedule, _occurrence: datetime) -> None:
        """Share partner goals with partners who arrived after the goal was set or done."""
        since = self.bot.clock.now() - DONE_SHARE_WINDOW
        for goal in await self.repo.partner_goals(schedule.guild_id, since):
            found = await self._share(schedule.guild_id, goal, "done" if goal.status == "done" else "set")
            if found is None:
                return  # no pairs feature in this install
