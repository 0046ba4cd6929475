"""``/session``: when the group meets, reminders with Going / Can't make it, and the digest."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.logic import (
    COVER_LIMIT,
    WHERE_LIMIT,
    DigestData,
    SessionPlan,
    check_length,
    daily_means,
    digest_text,
    first_on_or_after,
    missed_note,
    parse_hours_list,
    parse_weekday,
    previous_session,
    reminder_text,
    session_after,
    top_counts,
    ts,
    upcoming_sessions,
)
from bot.community.store import CommunityRepository, CommunitySettings
from bot.core.bot import ResilienceBot
from bot.core.charts import group_pulse_alt, group_pulse_png
from bot.core.checks import facilitator_only
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.outbox import PRIORITY_DIGEST, PRIORITY_DM, PRIORITY_POST
from bot.core.outbox_payload import Attachment
from bot.core.schedule_rules import local_instant
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.core.timeparse import parse_date, parse_time
from bot.core.ui import reply_private, report_error

log = logging.getLogger(__name__)

REMINDER = "session:reminder"
DIGEST = "session:digest"
NO_MENTIONS = discord.AllowedMentions.none()


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"session:rsvp:(?P<day>\d{4}-\d{2}-\d{2}):(?P<answer>yes|no)",
):
    """Going / Can't make it on a session reminder; works after restarts."""

    def __init__(self, day: str, answer: str) -> None:
        going = answer == "yes"
        super().__init__(
            discord.ui.Button(
                label="Going" if going else "Can't make it",
                style=discord.ButtonStyle.success if going else discord.ButtonStyle.secondary,
                custom_id=f"session:rsvp:{day}:{answer}",
            )
        )
        self.day = day
        self.going = going

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(match["day"], match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._answer(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def _answer(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild is None:
            raise UserError("This works inside your group's server.")
        bot: ResilienceBot = interaction.client
        guild_id = interaction.guild.id
        day = date.fromisoformat(self.day)
        tz = ZoneInfo(await bot.group_timezone(guild_id))
        if day < bot.clock.now().astimezone(tz).date():
            raise UserError("That session has already happened. `/session next` shows the next one.")
        repo = CommunityRepository(bot.db)

        async def then(inner: discord.Interaction[Any], member: Member) -> None:
            await repo.set_rsvp(guild_id, day, member.user_id, self.going, bot.clock.now())
            if self.going:
                await reply_private(inner, "Lovely, you're down as going. See you there.")
            else:
                settings = await repo.settings(guild_id)
                await reply_private(inner, missed_note(settings.cover)[:2000])

        await bot.consent.require(interaction, guild_id, then)


def rsvp_view(day: date) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton(day.isoformat(), "yes"))
    view.add_item(RsvpButton(day.isoformat(), "no"))
    return view


class Sessions(commands.GroupCog, group_name="session", group_description="The group's regular session"):
    """Group sessions: plan, skips, reminders with RSVPs, and a digest for facilitators."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = CommunityRepository(bot.db)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.scheduler.register(REMINDER, self._remind)
        self.bot.scheduler.register(DIGEST, self._digest)
        self.bot.on_config_change(self._derive)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(REMINDER)
        self.bot.scheduler.unregister(DIGEST)
        self.bot.remove_config_listener(self._derive)

    # -- schedules --------------------------------------------------------------------------------

    async def _zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    async def _derive(self, guild_id: int, old_hours: tuple[int, ...] = ()) -> None:
        """Rebuild the reminder and digest schedules from the session plan."""
        settings = await self.repo.settings(guild_id)
        for hours in set(old_hours) | set(settings.reminder_hours):
            await self.bot.scheduler.remove(guild_id, REMINDER, f"{hours}h")
        await self.bot.scheduler.remove(guild_id, DIGEST)
        if settings.plan is None:
            return
        tz = await self._zone(guild_id)
        for hours in settings.reminder_hours:
            await self.bot.scheduler.set(
                guild_id, REMINDER, settings.plan.before(hours, tz), key=f"{hours}h", payload={"hours": hours}
            )
        await self.bot.scheduler.set(
            guild_id, DIGEST, settings.plan.before(settings.digest_hours, tz), payload={}
        )

    async def _session_for(
        self, schedule: Schedule, occurrence: datetime
    ) -> tuple[CommunitySettings, SessionPlan, ZoneInfo, datetime] | None:
        """The (not skipped) session a reminder or digest at ``occurrence`` is about."""
        settings = await self.repo.settings(schedule.guild_id)
        if settings.plan is None:
            return None
        tz = await self._zone(schedule.guild_id)
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
        text = reminder_text(session_at, hours, plan.where)
        config = await self.bot.guilds_repo.get(schedule.guild_id)
        channel_id = config.channel("group")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        key = occurrence_key(schedule, occurrence)
        if isinstance(channel, discord.TextChannel):
            # Through the outbox: paced with every other group's 09:00 posts, sent once.
            await self.bot.outbox.enqueue(
                guild_id=schedule.guild_id,
                kind="session:reminder",
                key=key,
                channel_id=channel.id,
                content=text,
                view=rsvp_view(session_at.astimezone(tz).date()),
                allowed_mentions=NO_MENTIONS,
                priority=PRIORITY_POST,
            )
        await self._dm_reminders(schedule.guild_id, text, key)

    async def _dm_reminders(self, guild_id: int, text: str, key: str) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        for user_id in await self.repo.session_dm_members(guild_id):
            member = await self.bot.members.get(guild_id, user_id)
            person = guild.get_member(user_id)
            if member is None or member.left or member.dm_closed or person is None:
                continue
            # The outbox paces the fan-out, sends once, and marks closed DMs (50007) itself.
            await self.bot.outbox.enqueue(
                guild_id=guild_id,
                kind="session:dm",
                key=key,
                user_id=user_id,
                content=f"{text}\n(From {guild.name}. `/session dm off` stops these.)",
                priority=PRIORITY_DM,
            )

    async def _digest(self, schedule: Schedule, occurrence: datetime) -> None:
        found = await self._session_for(schedule, occurrence)
        if found is None:
            return
        _settings, plan, tz, session_at = found
        data, chart, available = await self.digest_data(schedule.guild_id, plan, tz, session_at)
        config = await self.bot.guilds_repo.get(schedule.guild_id)
        channel_id = config.channel("alerts")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            return
        text = digest_text(data, checkins_available=available)
        await self.bot.outbox.enqueue(
            guild_id=schedule.guild_id,
            kind="session:digest",
            key=occurrence_key(schedule, occurrence),
            channel_id=channel.id,
            content=text,
            allowed_mentions=NO_MENTIONS,
            files=[chart] if chart else None,
            priority=PRIORITY_DIGEST,
        )

    async def digest_data(
        self, guild_id: int, plan: SessionPlan, tz: ZoneInfo, session_at: datetime
    ) -> tuple[DigestData, Attachment | None, bool]:
        """Counts since the last session, only from members who chose to share; a chart when
        there are shared check-ins; and whether the check-ins feature is installed at all."""
        since = previous_session(plan, tz, session_at)
        members = await self.bot.members.list_active(guild_id)
        sharing = {m.user_id for m in members if m.share_checkins in ("aggregate", "named")}
        first_day, last_day = since.astimezone(tz).date(), session_at.astimezone(tz).date()
        rows = await self.repo.checkin_moods(guild_id, first_day, last_day, sharing)
        day = date.fromisoformat(session_at.astimezone(tz).date().isoformat())
        going, not_going = await self.repo.rsvp_counts(guild_id, day)
        goals_done = await self.repo.goals_done_count(guild_id, since, session_at, sharing)
        practised = await self.repo.skills_practised(guild_id, since, session_at, sharing)
        answers = await self.repo.pair_answers_since(guild_id, since, session_at, sharing)
        per_day = daily_means((d, mood) for _u, d, mood in rows or [])
        contributors = len({u for u, _d, _m in rows or []})
        mood_first = mood_last = None
        # An average of one person's moods would point at them: show the trend from two people up.
        if per_day and contributors >= 2:
            half = max(1, len(per_day) // 2)
            early, late = per_day[:half], per_day[-half:]
            mood_first = sum(m for _d, _c, m in early) / len(early)
            mood_last = sum(m for _d, _c, m in late) / len(late)
        data = DigestData(
            session_at=session_at,
            since=since,
            sharing_members=len(sharing),
            checkin_members=contributors,
            checkins=len(rows or []),
            mood_first=mood_first,
            mood_last=mood_last,
            goals_done=goals_done,
            going=going,
            not_going=not_going,
            skill_practices=None if practised is None else len(practised),
            skill_members=len({u for u, _s in practised or []}),
            top_skills=tuple(
                (self._skill_title(s), n) for s, n in top_counts(s for _u, s in practised or [])
            ),
            pair_answers=None if answers is None else len(answers),
            pair_connected=sum(1 for _u, a in answers or [] if a == "connected"),
        )
        chart = None
        if rows:
            by_day = {d: (c, m) for d, c, m in per_day}
            days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
            counts = [by_day.get(d, (0, 0.0))[0] for d in days]
            moods: list[float | None] = [
                by_day[d][1] if d in by_day and contributors >= 2 else None for d in days
            ]
            title = "Group pulse since the last session"
            png = group_pulse_png(days, counts, moods, title=title)
            chart = Attachment("group-pulse.png", png, group_pulse_alt(days, counts, moods, title=title))
        return data, chart, rows is not None

    def _skill_title(self, skill_id: str) -> str:
        skill = self.bot.content.skills.get(skill_id)
        return skill.title if skill is not None else skill_id.replace("-", " ").capitalize()

    # -- commands ---------------------------------------------------------------------------------

    @app_commands.command(name="set", description="Set when the group meets (facilitators)")
    @app_commands.describe(
        weekday="Day of the week, like tuesday",
        time="Local time in the group's timezone, like 18:30",
        every_weeks="Every N weeks (default every week)",
        where=f"Room or link (up to {WHERE_LIMIT} characters)",
    )
    @app_commands.guild_only()
    @facilitator_only()
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        weekday: str,
        time: str,
        every_weeks: app_commands.Range[int, 1, 52] = 1,
        where: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        day, at = parse_weekday(weekday), parse_time(time)
        place = check_length(where, WHERE_LIMIT, "place") if where else None
        tz = await self._zone(guild_id)
        now = self.bot.clock.now()
        anchor = first_on_or_after(now.astimezone(tz).date(), day)
        if local_instant(anchor, at, tz) <= now:
            anchor += timedelta(days=7)
        await self.repo.update_settings(
            guild_id,
            now,
            session_weekday=day,
            session_time=at.strftime("%H:%M"),
            session_every_weeks=every_weeks,
            session_anchor=anchor.isoformat(),
            session_where=place,
        )
        await self._derive(guild_id)
        plan = (await self.repo.settings(guild_id)).plan
        assert plan is not None
        first = local_instant(anchor, at, tz)
        await interaction.response.send_message(
            f"Sessions are {plan.describe()} ({tz.key}). The first is {ts(first)}.", ephemeral=True
        )

    @app_commands.command(name="skip", description="Skip one session, e.g. a holiday (facilitators)")
    @app_commands.describe(date="The session's date, like 2026-12-29")
    @app_commands.guild_only()
    @facilitator_only()
    async def skip(self, interaction: discord.Interaction[Any], date: str) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        day = parse_date(date)
        settings = await self.repo.settings(guild_id)
        if settings.plan is None:
            raise UserError("There's no regular session yet. Set one with `/session set`.")
        if day.weekday() != settings.plan.weekday:
            upcoming = upcoming_sessions(settings.plan, await self._zone(guild_id), self.bot.clock.now(), [])
            example = (
                upcoming[0].astimezone(await self._zone(guild_id)).date().isoformat() if upcoming else ""
            )
            raise UserError(f"There's no session on {day.isoformat()}. The next one is on `{example}`.")
        await self.repo.skip_session(guild_id, day)
        await interaction.response.send_message(
            f"The session on {day.isoformat()} is skipped: no reminders for it.", ephemeral=True
        )

    @app_commands.command(name="next", description="When and where the next session is")
    @app_commands.guild_only()
    async def next_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        settings = await self.repo.settings(guild_id)
        if settings.plan is None:
            await interaction.response.send_message(
                "No regular session is set yet. Your facilitators will share one soon.", ephemeral=True
            )
            return
        tz = await self._zone(guild_id)
        found = upcoming_sessions(settings.plan, tz, self.bot.clock.now(), await self.repo.skipped(guild_id))
        if not found:
            await interaction.response.send_message("No upcoming session is planned.", ephemeral=True)
            return
        where = f"\nWhere: {settings.plan.where}" if settings.plan.where else ""
        await interaction.response.send_message(
            f"Next session: {ts(found[0])} ({ts(found[0], 'R')}).{where}", ephemeral=True
        )

    @app_commands.command(name="reminders", description="Hours before each session to remind (facilitators)")
    @app_commands.describe(hours="Hours before, like 24, 1")
    @app_commands.guild_only()
    @facilitator_only()
    async def reminders(self, interaction: discord.Interaction[Any], hours: str) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        values = parse_hours_list(hours)
        old = (await self.repo.settings(guild_id)).reminder_hours
        await self.repo.update_settings(
            guild_id, self.bot.clock.now(), reminder_hours=",".join(str(h) for h in values)
        )
        await self._derive(guild_id, old_hours=old)
        shown = ", ".join(f"{h} h" for h in values)
        await interaction.response.send_message(
            f"Reminders go out {shown} before each session.", ephemeral=True
        )

    @app_commands.command(
        name="digest", description="Hours before each session for the digest (facilitators)"
    )
    @app_commands.describe(hours="Hours before the session, like 3")
    @app_commands.guild_only()
    @facilitator_only()
    async def digest(
        self, interaction: discord.Interaction[Any], hours: app_commands.Range[int, 1, 72]
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        await self.repo.update_settings(guild_id, self.bot.clock.now(), digest_hours=hours)
        await self._derive(guild_id)
        await interaction.response.send_message(
            f"The facilitator digest goes to the alerts channel {hours} h before each session.",
            ephemeral=True,
        )

    @app_commands.command(name="cover", description="What the next session will cover (facilitators)")
    @app_commands.describe(text=f"A few lines (up to {COVER_LIMIT:,} characters); 'off' clears it")
    @app_commands.guild_only()
    @facilitator_only()
    async def cover(self, interaction: discord.Interaction[Any], text: str) -> None:
        assert interaction.guild is not None
        value = None if text.strip().lower() == "off" else check_length(text, COVER_LIMIT, "session summary")
        await self.repo.update_settings(interaction.guild.id, self.bot.clock.now(), session_cover=value)
        message = "Saved. Members who can't make it will see it." if value else "Cleared the session summary."
        await interaction.response.send_message(message, ephemeral=True)

    @app_commands.command(name="rsvps", description="How many are coming (facilitators; counts only)")
    @app_commands.describe(date="The session's date (default: the next session)")
    @app_commands.guild_only()
    @facilitator_only()
    async def rsvps(self, interaction: discord.Interaction[Any], date: str | None = None) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        if date:
            day = parse_date(date)
        else:
            settings = await self.repo.settings(guild_id)
            if settings.plan is None:
                raise UserError("There's no regular session yet. Set one with `/session set`.")
            tz = await self._zone(guild_id)
            found = upcoming_sessions(
                settings.plan, tz, self.bot.clock.now(), await self.repo.skipped(guild_id)
            )
            if not found:
                raise UserError("No upcoming session is planned.")
            day = found[0].astimezone(tz).date()
        going, not_going = await self.repo.rsvp_counts(guild_id, day)
        await interaction.response.send_message(
            f"Session on {day.isoformat()}: {going} going, {not_going} can't make it.", ephemeral=True
        )

    @app_commands.command(name="dm", description="Get session reminders by DM too")
    @app_commands.describe(choice="on or off")
    @app_commands.guild_only()
    async def dm(self, interaction: discord.Interaction[Any], choice: Literal["on", "off"]) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        if choice == "off":
            await self.repo.set_session_dm(guild_id, interaction.user.id, False, self.bot.clock.now())
            await interaction.response.send_message("Done: no more session DMs.", ephemeral=True)
            return

        async def then(inner: discord.Interaction[Any], member: Member) -> None:
            await self.repo.set_session_dm(guild_id, member.user_id, True, self.bot.clock.now())
            await reply_private(inner, "Done: I'll DM you before each session. `/session dm off` stops it.")

        await self.bot.consent.require(interaction, guild_id, then)


async def setup(bot: ResilienceBot) -> None:
    bot.add_dynamic_items(RsvpButton)
    await bot.add_cog(Sessions(bot))
