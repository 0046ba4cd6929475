"""``/session``: the ``Sessions`` cog, its commands, and what a click on Going / Can't make it does.

The reminders and the digest (what runs by itself) are ``jobs.SessionJobs``; the digest's numbers
``digest``; the RSVP buttons ``views``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.logic import check_length, parse_weekday, ts
from bot.community.sessions import (
    COVER_LIMIT,
    WHERE_LIMIT,
    first_on_or_after,
    missed_note,
    parse_hours_list,
    upcoming_sessions,
)
from bot.core.checks import facilitator_only
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.schedule_rules import local_instant
from bot.core.timeparse import parse_date, parse_time
from bot.core.ui import reply_private
from bot.core.wording import long_date
from cogs.community.jobs import SessionJobs


# A group's session is about its server (and /session set is a facilitator's): never in DMs.
@app_commands.guild_only()
class Sessions(
    SessionJobs, commands.GroupCog, group_name="session", group_description="The group's regular session"
):
    """Group sessions: plan, skips, reminders with RSVPs, and a digest for facilitators."""

    async def rsvp(self, interaction: discord.Interaction[Any], day_text: str, going: bool) -> None:
        """Going / Can't make it, clicked on a reminder (after consent); not for a past session."""
        if interaction.guild is None:
            raise UserError("This works inside your group's server.")
        guild_id = interaction.guild.id
        day = date.fromisoformat(day_text)
        tz = await self.zone(guild_id)
        if day < self.bot.clock.now().astimezone(tz).date():
            raise UserError("That session has already happened. `/session next` shows the next one.")

        async def then(inner: discord.Interaction[Any], member: Member) -> None:
            await self.repo.set_rsvp(guild_id, day, member.user_id, going, self.bot.clock.now())
            if going:
                await reply_private(inner, "Lovely, you're down as going. See you there.")
            else:
                settings = await self.repo.settings(guild_id)
                await reply_private(inner, missed_note(settings.cover)[:2000])

        await self.bot.consent.require(interaction, guild_id, then)

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
        tz = await self.zone(guild_id)
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
        await self.config_changed(guild_id)
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
            upcoming = upcoming_sessions(settings.plan, await self.zone(guild_id), self.bot.clock.now(), [])
            example = upcoming[0].astimezone(await self.zone(guild_id)).date().isoformat() if upcoming else ""
            raise UserError(f"There's no session on {long_date(day)}. The next one is on `{example}`.")
        await self.repo.skip_session(guild_id, day)
        await self.sync_events(guild_id)
        await interaction.response.send_message(
            f"The session on {long_date(day)} is skipped: no reminders for it.", ephemeral=True
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
        tz = await self.zone(guild_id)
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
        await self.config_changed(guild_id, old_hours=old)
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
        await self.config_changed(guild_id)
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
        await self.sync_events(interaction.guild.id)
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
            tz = await self.zone(guild_id)
            found = upcoming_sessions(
                settings.plan, tz, self.bot.clock.now(), await self.repo.skipped(guild_id)
            )
            if not found:
                raise UserError("No upcoming session is planned.")
            day = found[0].astimezone(tz).date()
        totals = await self.rsvp_totals(guild_id, day)
        await interaction.response.send_message(
            f"Session on {long_date(day)}: {totals.describe()}.", ephemeral=True
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
