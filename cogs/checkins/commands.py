"""``/checkin now|history|pause|remind|recap`` and ``/group pulse``: the ``Checkins`` cog.

Thin: what a check-in means, streaks and recaps are in ``bot.checkins``, its SQL in
``bot.checkins.store``; the form and saving a check-in are in ``form``, what runs by itself
(the daily post, reminders, recaps) in ``jobs``, the buttons, the modal and views in ``views``.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins.logic import (
    RECAP_TIME,
    WEEKDAYS,
    PulseRow,
    compute_pulse,
    emotion_labels,
    history_points,
    history_text,
    local_day,
    summarize_history,
)
from bot.core.charts import (
    group_pulse_alt,
    group_pulse_png,
    mood_history_alt,
    mood_history_png,
    worth_a_chart,
)
from bot.core.checks import facilitator_only
from bot.core.errors import UserError
from bot.core.member_groups import DM_CONTEXTS, GROUP_OPTION, GUILD_INSTALL, group_autocomplete
from bot.core.members import Member
from bot.core.timeparse import parse_date, parse_time
from bot.core.ui import reply_private
from bot.core.wording import long_date
from cogs.checkins.form import NOT_IN_A_GROUP, CheckinForm
from cogs.checkins.views import GroupPicker

PAUSE_MAX_DAYS = 366


class Checkins(CheckinForm, commands.Cog):
    """Daily check-ins and everything around them."""

    checkin = app_commands.Group(
        name="checkin",
        description="Your daily check-in",
        allowed_contexts=DM_CONTEXTS,
        allowed_installs=GUILD_INSTALL,
    )
    group = app_commands.Group(
        name="group",
        description="Facilitator tools for the group",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def cog_load(self) -> None:
        self.start_jobs()

    async def cog_unload(self) -> None:
        self.stop_jobs()

    # -- /checkin now ---------------------------------------------------------------------------

    @checkin.command(name="now", description="Check in: how are you today?")
    @app_commands.describe(day="Today, or yesterday if you missed it", group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def now(
        self,
        interaction: discord.Interaction[Any],
        day: Literal["today", "yesterday"] = "today",
        group: str | None = None,
    ) -> None:
        yesterday = day == "yesterday"
        found = await self.bot.member_groups.choose(interaction, group, not_in_a_group=NOT_IN_A_GROUP)
        if isinstance(found, int):
            await self.open_checkin(interaction, found, yesterday=yesterday)
            return
        # Several groups and none named: a picker is kinder than "run it again".
        await interaction.response.send_message(
            "Which group is this check-in for?",
            view=GroupPicker(self, [(g.guild_id, g.name) for g in found], yesterday=yesterday),
            ephemeral=True,
        )

    # -- /checkin history -------------------------------------------------------------------------

    @checkin.command(name="history", description="Your moods over time, as a chart (only you see it)")
    @app_commands.describe(days="How far back to look", group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def history(
        self, interaction: discord.Interaction[Any], days: Literal[7, 30, 90] = 7, group: str | None = None
    ) -> None:
        guild_id = await self.resolve_guild(interaction, group)
        member = await self.bot.members.get(guild_id, interaction.user.id)
        if member is None:
            raise UserError("There's nothing saved about you yet. Start with `/checkin now`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        today = await self.today_for(guild_id, member)
        first = today - timedelta(days=days - 1)
        rows = await self.repo.history(guild_id, interaction.user.id, first, today)
        streak = await self.streak(guild_id, interaction.user.id, today)
        summary = summarize_history([(c.day, c.mood, c.emotions) for c in rows], days)
        points = history_points([(c.day, c.mood) for c in rows], today, days)
        text = history_text(summary, streak, self.bot.content.emotions) + await self.dm_notice(member)
        if not worth_a_chart(points):  # one dot is not a trend: the words say it (history_text)
            await interaction.followup.send(text, ephemeral=True)
            return
        title = f"Your mood, last {days} days"
        png = await asyncio.to_thread(mood_history_png, points, title=title)
        alt = mood_history_alt(points, title=title)
        await interaction.followup.send(
            text,
            file=discord.File(io.BytesIO(png), filename="mood-history.png", description=alt),
            ephemeral=True,
        )

    # -- /checkin pause ---------------------------------------------------------------------------

    @checkin.command(name="pause", description="Pause check-ins (holidays): your streak waits for you")
    @app_commands.describe(
        until="Last day of the pause, like 2026-12-31, or 'off' to end it", group=GROUP_OPTION
    )
    @app_commands.autocomplete(group=group_autocomplete)
    async def pause(
        self, interaction: discord.Interaction[Any], until: str, group: str | None = None
    ) -> None:
        guild_id = await self.resolve_guild(interaction, group)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            today = await self.today_for(guild_id, member)
            notice = await self.dm_notice(member)
            if until.strip().lower() == "off":
                await self.repo.end_pauses(guild_id, inter.user.id, today)
                await reply_private(
                    inter, "Welcome back: your pause is over and your streak carries on." + notice
                )
                return
            last = parse_date(until)
            if last < today:
                raise UserError(
                    f"That day has passed. Pick today or later, like `{today + timedelta(days=7)}`."
                )
            if last > today + timedelta(days=PAUSE_MAX_DAYS):
                raise UserError(
                    f"A pause can be up to a year. Try a closer day, like `{today + timedelta(days=14)}`."
                )
            await self.repo.add_pause(guild_id, inter.user.id, today, last, self.bot.clock.now())
            await reply_private(
                inter,
                f"Paused until **{long_date(last, year=True)}**. No reminders until then, and your streak "
                "waits for you. Checking in during a pause still counts. End it early with "
                "`/checkin pause until:off`." + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    # -- /checkin remind --------------------------------------------------------------------------

    @checkin.command(name="remind", description="A daily DM reminder at your local time, or 'off'")
    @app_commands.describe(time="Your local time, like 20:30 or 8pm, or 'off'", group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def remind(
        self, interaction: discord.Interaction[Any], time: str, group: str | None = None
    ) -> None:
        guild_id = await self.resolve_guild(interaction, group)
        off = time.strip().lower() == "off"
        at = None if off else parse_time(time)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            notice = await self.dm_notice(member)
            if at is None:
                await self.remove_reminder(guild_id, inter.user.id)
                await reply_private(
                    inter, "Reminders are off. Turn them on again any time with `/checkin remind`." + notice
                )
                return
            zone = await self.member_zone(guild_id, member)
            await self.repo.set_reminder(guild_id, inter.user.id, at, self.bot.clock.now())
            if member.dm_closed:
                # They asked again: try again (a refusal stops it once more).
                await self.bot.members.clear_dm_closed(guild_id, inter.user.id)
            await self._schedule_reminder(guild_id, inter.user.id, at, zone)
            await reply_private(
                inter,
                f"I'll DM you at **{at:%H:%M}** ({zone}) on days you haven't checked in yet. "
                "Make sure DMs from this server are allowed. Stop with `/checkin remind time:off`." + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    # -- /checkin recap ----------------------------------------------------------------------------

    @checkin.command(name="recap", description="A weekly DM recap of your check-ins, or 'off'")
    @app_commands.describe(day="The day you'd like it, in the evening, or 'off'", group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def recap(
        self,
        interaction: discord.Interaction[Any],
        day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "off"],
        group: str | None = None,
    ) -> None:
        guild_id = await self.resolve_guild(interaction, group)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            notice = await self.dm_notice(member)
            if day == "off":
                await self.remove_recap(guild_id, inter.user.id)
                await reply_private(
                    inter, "Weekly recap is off. Turn it on again any time with `/checkin recap`." + notice
                )
                return
            weekday = WEEKDAYS.index(day)
            zone = await self.member_zone(guild_id, member)
            await self.repo.set_recap(guild_id, inter.user.id, weekday, self.bot.clock.now())
            if member.dm_closed:
                # They asked again: try again (a refusal stops it once more).
                await self.bot.members.clear_dm_closed(guild_id, inter.user.id)
            await self._schedule_recap(guild_id, inter.user.id, weekday, zone)
            await reply_private(
                inter,
                f"Every **{day.capitalize()}** at {RECAP_TIME:%H:%M} ({zone}) I'll DM you a short recap of "
                "your week: your moods, the feelings you named, skills you practised and your streak. "
                "Never your notes. A week without check-ins gets no recap. Make sure DMs from this server "
                "are allowed. Stop with `/checkin recap day:off`." + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    # -- /group pulse -----------------------------------------------------------------------------

    @group.command(name="pulse", description="How the group is doing: check-ins, mood, feelings")
    @app_commands.describe(days="How many days to look at (7 to 90)")
    @facilitator_only()
    async def pulse(
        self, interaction: discord.Interaction[Any], days: app_commands.Range[int, 7, 90] = 14
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        members = await self.bot.members.list_active(guild_id)
        sharing = [m for m in members if m.share_checkins in ("aggregate", "named")]
        followup = [m.user_id for m in sharing if m.facilitator_followup]
        today = local_day(self.bot.clock.now(), await self.bot.group_timezone(guild_id))
        first = today - timedelta(days=max(days, 14) - 1)
        rows = await self.repo.group_range(guild_id, [m.user_id for m in sharing], first, today)
        pulse = compute_pulse(
            [PulseRow(c.user_id, c.day, c.mood, c.emotions) for c in rows], today, days, followup
        )
        title = f"Group pulse, last {days} days"
        png = await asyncio.to_thread(group_pulse_png, pulse.days, pulse.counts, pulse.avg_mood, title=title)
        alt = group_pulse_alt(pulse.days, pulse.counts, pulse.avg_mood, title=title)
        vocabulary = self.bot.content.emotions
        total = sum(pulse.counts)
        lines = [
            f"**Group pulse, last {days} days**",
            f"Counted over the {len(sharing)} member{'s' if len(sharing) != 1 else ''} who share check-ins "
            f"with the group: {total} check-in{'s' if total != 1 else ''}.",
        ]
        if pulse.top_emotions:
            labels = emotion_labels([v for v, _ in pulse.top_emotions], vocabulary)
            named = ", ".join(f"{lab} ({n})" for lab, (_, n) in zip(labels, pulse.top_emotions, strict=True))
            lines.append(f"Most named feelings: {named}.")
        if pulse.dropped:
            who = "member's" if pulse.dropped == 1 else "members'"
            lines.append(
                f"{pulse.dropped} {who} mood dropped by 1.5 points or more this week against the week before."
            )
            if pulse.dropped_named:
                mentions = ", ".join(f"<@{uid}>" for uid in pulse.dropped_named)
                lines.append(f"Open to a check-in from a facilitator: {mentions}.")
        else:
            lines.append("No one's mood dropped sharply this week.")
        await interaction.followup.send(
            "\n".join(lines),
            file=discord.File(io.BytesIO(png), filename="group-pulse.png", description=alt),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
